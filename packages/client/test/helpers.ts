import { randomBytes } from 'node:crypto'
import type { Conveyor } from '@conveyor/core'
import { type RunningServer, type ServerConfig, startServer } from '@conveyor/server'
import { afterEach } from 'vitest'
import { openConveyor } from '../../core/test/helpers.ts'
import { type ConveyorClient, createClient, type HttpWorker } from '../src/index.ts'

export { backend, openConveyor, waitForStatus } from '../../core/test/helpers.ts'

const servers: RunningServer[] = []
const cleanups: (() => unknown)[] = []

// Registered after the core helpers' afterEach (imported above), so it runs first: workers,
// subscriptions and servers end before their Conveyor closes.
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c()
  await Promise.all(servers.splice(0).map((s) => s.close()))
})

/** Runs `fn` after the test (before the servers close), e.g. to stop a worker or end a subscription. */
export function cleanup(fn: () => unknown): void {
  cleanups.push(fn)
}

export interface TestServer {
  server: RunningServer
  conveyor: Conveyor
  url: string
  adminKey: string
  /** A client with the admin key. */
  admin: ConveyorClient
  /** A client with a new API key of this role. */
  clientFor(role: 'admin' | 'producer' | 'worker' | 'viewer'): Promise<ConveyorClient>
  /** Listens again on the same port after server.close() (the same Conveyor): a restart. */
  restart(): Promise<RunningServer>
}

/** A real server on port 0 over a Conveyor on a fresh schema; closed after the test. */
export async function startTestServer(config: Partial<ServerConfig> = {}, conveyor?: Conveyor): Promise<TestServer> {
  const c = conveyor ?? (await openConveyor())
  const adminKey = `test-admin-${randomBytes(12).toString('hex')}`
  const base = { conveyor: c, adminKey, bootstrapAdminKey: false, ...config }
  const server = await startServer({ ...base, port: 0 })
  servers.push(server)
  const admin = createClient({ baseUrl: server.url, key: adminKey })
  const t: TestServer = {
    server,
    conveyor: c,
    url: server.url,
    adminKey,
    admin,
    async clientFor(role) {
      const { key } = await admin.createKey({ name: `${role} key`, role })
      return createClient({ baseUrl: server.url, key })
    },
    async restart() {
      const again = await startServer({ ...base, port: server.port })
      servers.push(again)
      t.server = again
      return again
    },
  }
  return t
}

/** Event streams the server holds open now (its conveyor_event_streams gauge). */
export async function openStreams(admin: ConveyorClient): Promise<number> {
  return Number(/^conveyor_event_streams (\d+)/m.exec(await admin.metrics())?.[1])
}

/** Resolves once the server holds `n` open streams: it learns of a hang-up from its socket a moment later. */
export async function untilOpenStreams(admin: ConveyorClient, n: number): Promise<void> {
  while ((await openStreams(admin)) !== n) await new Promise((r) => setTimeout(r, 20))
}

/** Stops the worker after the test, whatever happens. */
export function stopAfter<W extends HttpWorker>(worker: W): W {
  cleanup(() => worker.stop({ gracefulStopMs: 0 }))
  return worker
}

/** Moves a running job's lease into the past, as if its worker had stopped heartbeating long ago. */
export async function expireLease(c: Conveyor, id: string): Promise<void> {
  await c.db.query(`UPDATE "${c.schema}".jobs SET lease_expires_at = now() - interval '1 second' WHERE id = $1`, [id])
}

/** A promise with its resolve function, for handlers the test releases. */
export function deferred<T = void>() {
  let resolve!: (value: T) => void
  const promise = new Promise<T>((r) => (resolve = r))
  return { promise, resolve }
}
