/**
 * The server under test for the API scenarios, run as a child process of the benchmark (api-load.ts
 * forks it with `--expose-gc`): the load generator then stays out of this process's event loop, and
 * the RSS it reports is the server's alone.
 *
 * argv[2] is the backend; BENCH_ADMIN_KEY the admin key. It opens Conveyor on a fresh store with its
 * default settings (backends.ts), starts @conveyor/server on a free loopback port with its defaults
 * except enqueue rate limits (off, so the figures are the server's, not the limiter's), and sends
 * `{ ready, url }`. Messages: `memory` → `{ memory: process.memoryUsage() }` after a full GC; `stop` →
 * closes the server and throws the store away, then exits.
 */
import { startServer } from '@conveyor/server'
import { openFresh } from './backends.ts'

export type ServerRequest = 'memory' | 'stop'
export type ServerMemory = NodeJS.MemoryUsage
export type ServerMessage = { ready: true; url: string } | { memory: ServerMemory } | { failed: string }

const send = (message: ServerMessage) => process.send?.(message)

async function main() {
  const backend = process.argv[2] === 'pglite' ? 'pglite' : 'pg'
  const adminKey = process.env.BENCH_ADMIN_KEY
  if (!adminKey) throw new Error('BENCH_ADMIN_KEY is not set')
  const fresh = await openFresh(backend)
  let server: Awaited<ReturnType<typeof startServer>> | undefined
  try {
    server = await startServer({ conveyor: fresh.conveyor, port: 0, adminKey, rateLimit: { key: false, token: false } })
  } catch (err) {
    await fresh.dispose()
    throw err
  }
  let stopping: Promise<void> | undefined
  const stop = () =>
    (stopping ??= (async () => {
      await server?.close()
      await fresh.dispose()
      process.disconnect?.()
    })())

  process.on('message', async (message: ServerRequest) => {
    if (message === 'memory') send({ memory: await memory() })
    else if (message === 'stop') await stop()
  })
  // The benchmark died or went away: do not leave the server and its schema behind.
  process.on('disconnect', () => void stop())
  send({ ready: true, url: server.url })
}

/** Memory after a full collection, so garbage not yet collected is not counted as the streams' cost. */
async function memory(): Promise<ServerMemory> {
  const gc = (globalThis as { gc?: () => void }).gc
  gc?.()
  await new Promise((resolve) => setImmediate(resolve))
  gc?.()
  return process.memoryUsage()
}

main().catch((err: unknown) => {
  send({ failed: err instanceof Error ? (err.stack ?? err.message) : String(err) })
  process.exitCode = 1
  process.disconnect?.()
})
