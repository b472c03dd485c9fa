import { randomBytes } from 'node:crypto'
import { readFile } from 'node:fs/promises'
import { fileURLToPath } from 'node:url'
import { type ConveyorClient, createClient } from '@conveyor/client'
import type { Conveyor } from '@conveyor/core'
import { type RunningServer, type ServerConfig, startServer } from '@conveyor/server'
import Fastify, { type FastifyInstance } from 'fastify'
import { z } from 'zod'
import { bundlePage } from './page-bundle.ts'

const BASE_CSS = fileURLToPath(new URL('./page/base.css', import.meta.url))

export interface ExampleOptions {
  /** An open Conveyor; the example never closes it. */
  conveyor: Conveyor
  /** The page's title. */
  title: string
  /** The page's TSX entry, bundled for the browser on first request. */
  page: string
  /** The page's own stylesheet, served after the shared one. */
  styles?: string
  /** Default 127.0.0.1. */
  host?: string
  /** The Conveyor API's port (0 picks a free one). Default 3000. */
  apiPort?: number
  /** The example app's port (0 picks a free one). Default 3001. */
  appPort?: number
  /** The API's admin key; default a random one for this run. */
  adminKey?: string
  /** More settings of the Conveyor API server. */
  server?: Omit<ServerConfig, 'conveyor' | 'host' | 'port' | 'adminKey' | 'corsOrigins'>
  /** The example backend's own routes (put them under /app/). */
  routes?: (app: FastifyInstance, example: { backend: ConveyorClient }) => void
  /** Stopped after the servers close (or when the start fails): the example's workers. */
  workers?: readonly { stop(): Promise<unknown> }[]
}

export interface RunningExample {
  /** The Conveyor HTTP API (and its dashboard). */
  apiUrl: string
  /** The example's page and backend. */
  appUrl: string
  adminKey: string
  /** A client of the API with the admin key: for setting up (keys for workers, queues), not the app's calls. */
  admin: ConveyorClient
  /**
   * What the example's backend uses: a client with a producer key, made with the admin key at start.
   * A producer enqueues and mints user tokens but cannot create keys or change settings, so an app's
   * backend never needs to hold the admin key.
   */
  backend: ConveyorClient
  /** A user token for `owner`, as the page's sign-in gets one. */
  tokenFor(owner: string): Promise<string>
  /** A client acting for `owner` with a user token of its own: one device of that user. */
  clientFor(owner: string): Promise<ConveyorClient>
  /** Stops both servers (the Conveyor stays open). */
  close(): Promise<void>
}

const sessionBody = z.strictObject({
  user: z
    .string()
    .regex(/^[A-Za-z0-9._@-]{1,64}$/, 'letters, digits and . _ @ -, at most 64')
    .meta({ description: 'who signs in' }),
})

/**
 * Runs one example as an app would: Conveyor's HTTP API on one origin, and the app (its page and its
 * small backend) on another. The page calls the API directly with a short-lived user token that the
 * backend mints at sign-in, so every user sees only their own jobs; the API lets the app's origin in
 * (CORS) and nothing else.
 *
 * The sign-in here takes any user name: it stands for the app's real authentication.
 */
export async function startExample(options: ExampleOptions): Promise<RunningExample> {
  const host = options.host ?? '127.0.0.1'
  const adminKey = options.adminKey ?? `example-admin-${randomBytes(16).toString('hex')}`
  let admin: ConveyorClient | undefined
  let backend: ConveyorClient | undefined
  let apiUrl = ''
  let script: Promise<string> | undefined

  const stopWorkers = () => Promise.all((options.workers ?? []).map((w) => w.stop()))
  const app = Fastify({ logger: false })
  const tokenFor = async (owner: string) => (await backend!.createToken({ owner, ttlSeconds: 3600 })).token

  app.get('/', async (_request, reply) => {
    reply.header('content-security-policy', pagePolicy(apiUrl)).type('text/html; charset=utf-8')
    return pageHtml(options.title)
  })
  app.get('/app.js', async (_request, reply) => {
    script ??= bundlePage(options.page)
    reply.type('text/javascript; charset=utf-8').header('cache-control', 'no-cache')
    return script
  })
  app.get('/app.css', async (_request, reply) => {
    const parts = await Promise.all([BASE_CSS, ...(options.styles ? [options.styles] : [])].map((f) => readFile(f, 'utf8')))
    reply.type('text/css; charset=utf-8').header('cache-control', 'no-cache')
    return parts.join('\n')
  })
  app.post('/app/session', async (request, reply) => {
    const parsed = sessionBody.safeParse(request.body)
    if (!parsed.success) return reply.code(400).send({ error: { code: 'invalid_input', message: parsed.error.issues[0]?.message } })
    const { token, expiresAt } = await backend!.createToken({ owner: parsed.data.user, ttlSeconds: 3600 })
    return { user: parsed.data.user, apiUrl, token, expiresAt }
  })

  let api: RunningServer | undefined
  try {
    // Routes first (Fastify takes none once listening); they read `backend` and `apiUrl` when called.
    options.routes?.(app, {
      get backend() {
        return backend!
      },
    })
    await app.listen({ host, port: options.appPort ?? 3001 })
    const appUrl = originOf(app, host)
    api = await startServer({
      ...options.server,
      conveyor: options.conveyor,
      host,
      port: options.apiPort ?? 3000,
      adminKey,
      bootstrapAdminKey: false,
      corsOrigins: [appUrl],
    })
    apiUrl = api.url
    admin = createClient({ baseUrl: api.url, key: adminKey })
    const { key: producerKey } = await admin.createKey({ name: `${options.title} backend`, role: 'producer' })
    backend = createClient({ baseUrl: api.url, key: producerKey })
    const running = api
    return {
      apiUrl,
      appUrl,
      adminKey,
      admin,
      backend,
      tokenFor,
      clientFor: async (owner) => createClient({ baseUrl: running.url, token: await tokenFor(owner) }),
      close: async () => {
        await Promise.all([closeQuickly(app), closeQuickly(running.app)])
        await stopWorkers()
      },
    }
  } catch (err) {
    await Promise.all([closeQuickly(app), api ? closeQuickly(api.app) : undefined])
    await stopWorkers()
    throw err
  }
}

function originOf(app: FastifyInstance, host: string): string {
  const address = app.server.address()
  const port = typeof address === 'object' && address ? address.port : 0
  return `http://${host.includes(':') ? `[${host}]` : host}:${port}`
}

/**
 * Closes a server without waiting on idle keep-alive sockets (Node closes only those idle at the
 * moment of close(), so one busy then would hold the close until its keep-alive timeout).
 */
async function closeQuickly(app: FastifyInstance): Promise<void> {
  const sweep = setInterval(() => app.server.closeIdleConnections(), 50)
  try {
    await app.close()
  } finally {
    clearInterval(sweep)
  }
}

/** The page runs only its own script and talks only to its own origin and the Conveyor API. */
function pagePolicy(apiUrl: string): string {
  return [
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self'",
    `connect-src 'self' ${apiUrl}`,
    "img-src 'self' data: blob:",
    "object-src 'none'",
    "base-uri 'self'",
    "frame-ancestors 'none'",
  ].join('; ')
}

function pageHtml(title: string): string {
  const escaped = title.replace(/[&<>"]/g, (c) => `&#${c.charCodeAt(0)};`)
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escaped}</title>
<link rel="stylesheet" href="/app.css">
</head>
<body>
<div id="root"></div>
<script type="module" src="/app.js"></script>
</body>
</html>
`
}
