/**
 * The HTTP API scenarios: @conveyor/server in a child process (api-server.ts) on a fresh store, loaded
 * from this process with autocannon over loopback. The child keeps the load generator out of the
 * server's event loop and lets the server's memory be read on its own; both still share the machine's
 * cores with each other and with the database.
 */
import { type ChildProcess, fork } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { once } from 'node:events'
import http from 'node:http'
import { fileURLToPath } from 'node:url'
import autocannon, { type Request } from 'autocannon'
import type { BackendName } from './args.ts'
import type { ServerMemory, ServerMessage, ServerRequest } from './api-server.ts'
import type { Sizes } from './scenarios.ts'
import { percentile } from './stats.ts'

export const API_CONNECTIONS = 50
export const STREAMS = 200
/** Ids the get-by-id load cycles over. */
export const GET_IDS = 1000

/** Printed under the table and kept in the results file. */
export const API_NOTE =
  `API rows: @conveyor/server with its default settings except enqueue rate limits (off, rateLimit ` +
  `{ key: false, token: false }, so the figures are the server's), in a child process on a fresh store; ` +
  `autocannon in the benchmark's process, ${API_CONNECTIONS} connections on loopback, an admin key; ` +
  `load generator, server and database share the machine's cores. Streams: the server process's RSS ` +
  `growth with ${STREAMS} idle GET /api/events streams open (each reading after a full GC, once the RSS ` +
  `settled; V8's memory reducer off in that server, see bench/README.md).`

/** The server under test, running in its own process. */
export interface ServerProcess {
  url: string
  adminKey: string
  /** The server process's memory, after a full collection. */
  memory(): Promise<ServerMemory>
  stop(): Promise<void>
}

export interface ApiScenario {
  /** For npm run bench -- --only. */
  id: string
  name: string
  /** Node flags of the server process, beyond --expose-gc (default: none). */
  nodeFlags?: string[]
  run(server: ServerProcess, sizes: Sizes): Promise<Record<string, number>>
}

export const API_SCENARIOS: ApiScenario[] = [
  {
    id: 'api-enqueue',
    name: `API enqueue, ${API_CONNECTIONS} connections`,
    async run(server, sizes) {
      const request: Request = { method: 'POST', path: '/api/jobs', body: JSON.stringify({ type: 'noop', payload: { n: 1, url: 'https://example.com/' } }) }
      const warm = await load(server, [request], sizes.apiWarmupSeconds)
      const out = await load(server, [request], sizes.apiSeconds)
      const total = await settledJobCount(server)
      // A server answering 201 without writing would make the figure meaningless.
      if (total < warm.ok + out.ok) throw new Error(`${warm.ok + out.ok} enqueues answered 2xx but ${total} jobs exist`)
      return figures('api.enqueue', out)
    },
  },
  {
    id: 'api-get',
    name: `API get by id, ${API_CONNECTIONS} connections`,
    async run(server, sizes) {
      const jobs = Array.from({ length: GET_IDS }, (_, n) => ({ type: 'noop', payload: { n } }))
      const { jobs: created } = await api<{ jobs: { id: string }[] }>(server, 'POST', '/api/jobs/batch', { jobs })
      const requests = created.map((j): Request => ({ method: 'GET', path: `/api/jobs/${j.id}` }))
      await load(server, requests, sizes.apiWarmupSeconds)
      return figures('api.get', await load(server, requests, sizes.apiSeconds))
    },
  },
  {
    id: 'api-streams',
    name: `API ${STREAMS} open event streams`,
    // V8's memory reducer gives ~40 MB of pooled heap pages back to the system at a moment of its own,
    // 10-30 s after start (seen on both backends): falling between the two readings, it showed the
    // streams as costing -40 MB. Turning it off changes when free memory goes back, not what the
    // streams hold.
    nodeFlags: ['--no-memory-reducer'],
    async run(server) {
      // A few streams first, so code loaded and pools sized on the first stream are not counted.
      const warm = await openStreams(server, 5)
      closeStreams(warm)
      await streamCount(server, 0)
      const before = await settledMemory(server)
      const streams = await openStreams(server, STREAMS)
      try {
        const after = await settledMemory(server)
        // Counted after the reading, so the scrape's own allocations are not in it.
        await streamCount(server, STREAMS)
        return { 'api.streams.rss': (after.rss - before.rss) / 1e6, 'api.streams.heap': (after.heapUsed - before.heapUsed) / 1e6 }
      } finally {
        closeStreams(streams)
      }
    },
  },
]

export interface LoadResult {
  /** 2xx answers. */
  ok: number
  perSecond: number
  p50: number
  p99: number
  /** Non-2xx answers, connection errors and timeouts. */
  failed: number
}

/** `API_CONNECTIONS` connections for `seconds`, each walking `requests` in order, again and again. */
async function load(server: ServerProcess, requests: Request[], seconds: number): Promise<LoadResult> {
  const latencies: number[] = []
  const instance = autocannon({
    url: server.url,
    connections: API_CONNECTIONS,
    duration: seconds,
    headers: { authorization: `Bearer ${server.adminKey}`, 'content-type': 'application/json' },
    requests,
  })
  // autocannon's own histogram keeps whole milliseconds; these are fractional.
  instance.on('response', (_client, status, _bytes, ms) => {
    if (status >= 200 && status < 300) latencies.push(ms)
  })
  const result = await instance
  latencies.sort((a, b) => a - b)
  return {
    ok: latencies.length,
    perSecond: latencies.length / result.duration,
    p50: percentile(latencies, 50),
    p99: percentile(latencies, 99),
    failed: result.non2xx + result.errors + result.timeouts,
  }
}

function figures(prefix: string, r: LoadResult): Record<string, number> {
  return { [prefix]: r.perSecond, [`${prefix}.p50`]: r.p50, [`${prefix}.p99`]: r.p99, [`${prefix}.failed`]: r.failed }
}

/**
 * The number of jobs once it stopped growing. autocannon ends a run by dropping its connections, and
 * the server still finishes the enqueues that were in flight (and writes their audit entries after
 * the answer): stopping the server before those finish would cut them off while the Conveyor closes.
 */
async function settledJobCount(server: ServerProcess): Promise<number> {
  const deadline = performance.now() + 10_000
  let last = -1
  for (;;) {
    const { stats } = await api<{ stats: { total: number } }>(server, 'GET', '/api/jobs/stats')
    if (stats.total === last || performance.now() > deadline) return stats.total
    last = stats.total
    await new Promise((resolve) => setTimeout(resolve, 200))
  }
}

/** One API call with the admin key; a non-2xx answer throws with the body. */
async function api<T>(server: ServerProcess, method: string, path: string, body?: unknown): Promise<T> {
  const res = await fetch(server.url + path, {
    method,
    headers: { authorization: `Bearer ${server.adminKey}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    body: body === undefined ? undefined : JSON.stringify(body),
  })
  const text = await res.text()
  if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${text}`)
  return (text ? JSON.parse(text) : undefined) as T
}

/** Samples of the server's memory taken this far apart, over this window, must agree within SETTLED_BYTES. */
const SETTLE_SAMPLE_MS = 500
const SETTLE_SAMPLES = 12
const SETTLED_BYTES = 2e6

/**
 * The server's memory once its RSS has settled: sampled (after a full GC) every 500 ms until 6 s of
 * samples lie within 2 MB, at most 30 s. A fresh server process gives back ~30 MB (its young
 * generation shrinking) ~3 s after its start and ~3 MB a few seconds after opening the streams, also
 * without the memory reducer, so single samples could show growth of -25 MB or +5 MB.
 */
async function settledMemory(server: ServerProcess): Promise<ServerMemory> {
  const deadline = performance.now() + 30_000
  const samples: ServerMemory[] = []
  for (;;) {
    samples.push(await server.memory())
    const recent = samples.slice(-SETTLE_SAMPLES).map((m) => m.rss)
    const settled = recent.length === SETTLE_SAMPLES && Math.max(...recent) - Math.min(...recent) < SETTLED_BYTES
    if (settled || performance.now() > deadline) return samples.at(-1) as ServerMemory
    await new Promise((resolve) => setTimeout(resolve, SETTLE_SAMPLE_MS))
  }
}

/** Opens `count` GET /api/events streams, each on its own socket, resolved once each has its first bytes. */
async function openStreams(server: ServerProcess, count: number): Promise<http.ClientRequest[]> {
  const requests: http.ClientRequest[] = []
  try {
    await Promise.all(
      Array.from({ length: count }, () => {
        const req = http.get(`${server.url}/api/events`, { agent: false, headers: { authorization: `Bearer ${server.adminKey}` } })
        requests.push(req)
        return new Promise<void>((resolve, reject) => {
          req.on('error', reject)
          req.on('response', (res) => {
            if (res.statusCode !== 200) reject(new Error(`GET /api/events: ${res.statusCode}`))
            res.once('data', () => resolve())
          })
        })
      }),
    )
    return requests
  } catch (err) {
    closeStreams(requests)
    throw err
  }
}

function closeStreams(requests: http.ClientRequest[]) {
  for (const req of requests) req.destroy()
}

/**
 * Waits until the server counts `expected` open streams (conveyor_event_streams on /metrics): closed
 * streams are noticed by the server a moment after the client drops them.
 */
async function streamCount(server: ServerProcess, expected: number) {
  const deadline = performance.now() + 10_000
  for (;;) {
    const res = await fetch(`${server.url}/metrics`, { headers: { authorization: `Bearer ${server.adminKey}` } })
    const text = await res.text()
    const open = Number(/^conveyor_event_streams (\d+)/m.exec(text)?.[1] ?? Number.NaN)
    if (open === expected) return
    if (performance.now() > deadline) throw new Error(`the server counts ${open} open event streams, expected ${expected}`)
    await new Promise((resolve) => setTimeout(resolve, 50))
  }
}

/**
 * Forks api-server.ts on a fresh store of `backend` and waits until it listens. With `--expose-gc`
 * so the memory it reports is taken after a full collection, and `nodeFlags` (the scenario's).
 */
export async function startServerProcess(backend: BackendName, nodeFlags: readonly string[] = []): Promise<ServerProcess> {
  const adminKey = `bench_${randomBytes(24).toString('hex')}`
  const child = fork(fileURLToPath(new URL('./api-server.ts', import.meta.url)), [backend], {
    execArgv: ['--expose-gc', ...nodeFlags, '--import', 'tsx'],
    env: { ...process.env, BENCH_ADMIN_KEY: adminKey },
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  })
  const exited = once(child, 'exit')
  exited.catch(() => {}) // a failed spawn also rejects nextMessage, which reports it
  try {
    const first = await nextMessage(child)
    if (!('ready' in first)) throw new Error(`the server process failed to start: ${'failed' in first ? first.failed : JSON.stringify(first)}`)
    return {
      url: first.url,
      adminKey,
      async memory() {
        child.send('memory' satisfies ServerRequest)
        const message = await nextMessage(child)
        if (!('memory' in message)) throw new Error(`unexpected answer from the server process: ${JSON.stringify(message)}`)
        return message.memory
      },
      stop: () => stopChild(child, exited),
    }
  } catch (err) {
    await stopChild(child, exited)
    throw err
  }
}

/** The child's next message; rejects when it exits first. */
function nextMessage(child: ChildProcess): Promise<ServerMessage> {
  return new Promise((resolve, reject) => {
    const onExit = (code: number | null) => {
      child.off('message', onMessage)
      reject(new Error(`the server process exited (code ${code})`))
    }
    const onMessage = (message: ServerMessage) => {
      child.off('exit', onExit)
      resolve(message)
    }
    child.once('message', onMessage)
    child.once('exit', onExit)
  })
}

/** Asks the server process to close and drop its store; kills it when it has not exited after 30 s. */
async function stopChild(child: ChildProcess, exited: Promise<unknown>) {
  if (child.exitCode !== null || child.signalCode !== null) return
  if (child.connected) child.send('stop' satisfies ServerRequest)
  const timer = setTimeout(() => child.kill('SIGKILL'), 30_000)
  try {
    await exited
  } finally {
    clearTimeout(timer)
  }
}
