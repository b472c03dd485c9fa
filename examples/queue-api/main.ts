/**
 * Seed 001 in one command: `node --import tsx examples/queue-api/main.ts [--once]`.
 *
 * Starts Conveyor (embedded PGlite in .conveyor-queue-api/, or DATABASE_URL) with its HTTP API on
 * PORT (default 3002, the document's port) and a worker running ./handler.ts, then runs every call of
 * the document against it (run-seed-001.ts) and keeps serving, so the document's curl calls work as
 * written (with the printed key). --once exits after the run, with its outcome as the exit code.
 */
import { randomBytes } from 'node:crypto'
import { parseArgs } from 'node:util'
import { Conveyor } from '@conveyor/core'
import { startServer } from '@conveyor/server'
import handlers from './handler.ts'
import { runSeed001 } from './run-seed-001.ts'

const { values } = parseArgs({ options: { once: { type: 'boolean', default: false } } })
const env = process.env
const adminKey = env.CONVEYOR_ADMIN_KEY ?? `queue-api-admin-${randomBytes(16).toString('hex')}`

const conveyor = await Conveyor.open({
  ...(env.DATABASE_URL ? { databaseUrl: env.DATABASE_URL } : { dataDir: env.CONVEYOR_DATA_DIR ?? '.conveyor-queue-api' }),
  logLevel: env.LOG_LEVEL ?? 'warn',
})
// One job at a time: the jobs share the scratch repository's working tree.
const worker = conveyor.work(handlers, { concurrency: 1 })
const server = await startServer({ conveyor, host: env.HOST ?? '127.0.0.1', port: Number(env.PORT ?? 3002), adminKey, bootstrapAdminKey: false })

let stopping = false
async function stop(code: number) {
  if (stopping) return
  stopping = true
  await server.close()
  await worker.stop()
  await conveyor.close()
  process.exitCode = code
}
process.once('SIGINT', () => void stop(0))
process.once('SIGTERM', () => void stop(0))

console.log(`Conveyor on ${server.url} (admin key for this run: ${adminKey}); running seed 001's calls:\n`)
const report = await runSeed001({ url: server.url, key: adminKey })
if (values.once) await stop(report.ok ? 0 : 1)
else {
  console.log(`\nStill serving: the document's calls work as written, with the key. Try:`)
  console.log(`  curl -X POST ${server.url}/api/jobs/enqueue -H "Authorization: Bearer ${adminKey}" \\`)
  console.log(`    -H "Content-Type: application/json" -d '{"prompt": "Add a dark mode toggle to the navbar.", "branch": "feat/dark-mode"}'`)
  console.log(`  curl ${server.url}/api/jobs/stats -H "Authorization: Bearer ${adminKey}"`)
  console.log(`The dashboard is at ${server.url} (sign in with the key). Ctrl-C stops.`)
}
