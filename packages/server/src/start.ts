import { type Conveyor, KeyStore } from '@conveyor/core'
import type { FastifyInstance } from 'fastify'
import { buildApp } from './app.ts'
import type { ServerConfig } from './config.ts'

export interface RunningServer {
  /** http://host:port, with the port actually bound (port 0 picks one). */
  url: string
  port: number
  app: FastifyInstance
  /** The admin key generated on this start (no admin key existed and none was configured): print it once. Else null. */
  firstAdminKey: string | null
  /** Ends event streams and waiting claims, stops listening. The Conveyor stays open. */
  close(): Promise<void>
}

/**
 * When no admin key is configured (CONVEYOR_ADMIN_KEY) and none exists in the database, creates one
 * and returns it, to be shown once; otherwise returns null. Safe when several servers start together.
 */
export async function bootstrapAdminKey(conveyor: Conveyor, options: { adminKey?: string } = {}): Promise<string | null> {
  if (options.adminKey) return null
  return new KeyStore(conveyor.db, conveyor.schema).ensureFirstAdmin()
}

/**
 * Builds the app and listens on config.host:config.port (default 127.0.0.1:3000).
 *
 * @example
 *   const server = await startServer({ conveyor, port: 0 })
 *   if (server.firstAdminKey) print(`admin key (shown once): ${server.firstAdminKey}`)
 *   await server.close()
 */
export async function startServer(config: ServerConfig & { bootstrapAdminKey?: boolean }): Promise<RunningServer> {
  const { bootstrapAdminKey: bootstrap = true, ...appConfig } = config
  const app = await buildApp(appConfig)
  try {
    const firstAdminKey = bootstrap ? await bootstrapAdminKey(config.conveyor, { adminKey: config.adminKey }) : null
    await app.listen({ host: config.host ?? '127.0.0.1', port: config.port ?? 3000 })
    const address = app.server.address()
    const port = typeof address === 'object' && address ? address.port : (config.port ?? 3000)
    const host = config.host ?? '127.0.0.1'
    const url = `http://${host.includes(':') ? `[${host}]` : host}:${port}`
    return { url, port, app, firstAdminKey, close: () => closeWithin(app, CLOSE_GRACE_MS) }
  } catch (err) {
    await app.close()
    throw err
  }
}

/** How long close() lets requests in flight finish before cutting the connections left. */
const CLOSE_GRACE_MS = 2000

/**
 * Closes the app (event streams and waiting claims end at once, requests in flight finish), and
 * after `graceMs` destroys any connection still open: a socket a client opened but never sent a
 * request on would otherwise hold close() until Node's 60 s headers timeout.
 */
async function closeWithin(app: Awaited<ReturnType<typeof buildApp>>, graceMs: number): Promise<void> {
  const timer = setTimeout(() => app.server.closeAllConnections(), graceMs)
  try {
    await app.close()
  } finally {
    clearTimeout(timer)
  }
}
