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
  await Promise.all(servers.splice(0).map(closeServer))
})

/** Requests each test server is answering now (an event stream counts until it ends). */
const inflight = new WeakMap<RunningServer, Set<object>>()

function track(server: RunningServer): RunningServer {
  const open = new Set<object>()
  inflight.set(server, open)
  server.app.server.on('request', (_req, res) => {
    open.add(res)
    res.on('close', () => open.delete(res))
  })
  servers.push(server)
  return server
}

/**
 * Closes a server without waiting on sockets that carry no request. Node's server.close() waits for
 * every connection but a keep-alive one idle at that moment; a connection fetch opened for a request
 * it then aborted (a worker's long-poll at stop()) carries nothing, and holds close() until the
 * server's headersTimeout (60 s). Once no request is in flight, such sockets are closed.
 */
async function closeServer(server: RunningServer): Promise<void> {
  const sweep = setInterval(() => {
    if (inflight.get(server)?.size === 0) server.app.server.closeAllConnections()
  }, 50)
  try {
    await server.close()
  } finally {
    clearInterval(sweep)
  }
}

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
  const server = track(await startServer({ ...base, port: 0 }))
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
      const again = track(await startServer({ ...base, port: server.port }))
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

/** Resolves once the server holds `n` claims waiting for work (long-polls). */
export async function untilWaitingClaims(admin: ConveyorClient, n: number): Promise<void> {
  const waiting = async () => Number(/^conveyor_claims_waiting (\d+)/m.exec(await admin.metrics())?.[1])
  while ((await waiting()) !== n) await new Promise((r) => setTimeout(r, 20))
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

/**
 * A client whose `nth` read of a job that has ended (GET /api/jobs/:id answering completed, failed or
 * cancelled) fails as a network error would (a blip, a restart); every other request goes through.
 */
export function failFinalRead(baseUrl: string, key: string, nth: number) {
  let finalReads = 0
  let failed = 0
  const client = createClient({
    baseUrl,
    key,
    fetch: async (input, init) => {
      const res = await fetch(input, init)
      const isGetJob = /^\/api\/jobs\/[0-9a-f-]{36}$/.test(new URL(String(input)).pathname) && (init?.method ?? 'GET') === 'GET'
      if (isGetJob && res.ok) {
        const body = (await res.clone().json()) as { job?: { status?: string } }
        if (['completed', 'failed', 'cancelled'].includes(body.job?.status ?? '') && ++finalReads === nth) {
          failed++
          throw new TypeError('fetch failed (simulated)')
        }
      }
      return res
    },
  })
  return { client, failed: () => failed }
}
