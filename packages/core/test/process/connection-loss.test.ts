import { randomBytes } from 'node:crypto'
import pg from 'pg'
import { describe, expect, it } from 'vitest'
import { Conveyor, type Job } from '../../src/index.ts'
import { DATABASE_URL, logger } from '../helpers.ts'
import { killAllChildren, spawnChild } from './children.ts'
import { countByJob, createSideTable, readSideTable } from './fixtures/side-table.ts'
import { until, untilCount } from './until.ts'

const JOBS = 2000
const BATCH = 100
const KILL_AFTER_BATCHES = [5, 10, 15]

/** An app's retry of a write whose connection was killed: the idempotency keys make it safe to repeat. */
async function retried<T>(write: () => Promise<T>): Promise<T> {
  for (let attempt = 0; ; attempt++) {
    try {
      return await write()
    } catch (err) {
      if (attempt >= 30) throw err
      await new Promise((r) => setTimeout(r, 100))
    }
  }
}

describe('database connections killed under load', () => {
  // pg_terminate_backend and other processes' connections are PostgreSQL's; PGlite has neither.
  it.skipIf(!DATABASE_URL)(
    'after every backend is terminated three times while 2,000 jobs drain, all reconnect and each job completes exactly once',
    async () => {
      // A database of its own, so that terminating "every conveyor backend" of it touches nothing else
      // running on this server (other test files use the same application_name).
      const admin = new pg.Client({ connectionString: DATABASE_URL, application_name: 'process-test-admin' })
      await admin.connect()
      const dbName = `conveyor_kill_${randomBytes(5).toString('hex')}`
      await admin.query(`CREATE DATABASE "${dbName}"`)
      const url = new URL(DATABASE_URL!)
      url.pathname = `/${dbName}`
      const databaseUrl = url.toString()
      const schema = 'conveyor'
      let c: Conveyor | undefined
      try {
        c = await Conveyor.open({ databaseUrl, schema, logger, maintenance: false })
        const conveyor = c
        await createSideTable(c.db, schema)
        const terminate = async () => {
          const { rows } = await admin.query<{ name: string }>(
            `SELECT application_name AS name, pg_terminate_backend(pid) FROM pg_stat_activity
             WHERE datname = $1 AND application_name LIKE 'conveyor%' AND pid <> pg_backend_pid()`,
            [dbName],
          )
          return rows.map((r) => r.name)
        }
        const ranSoFar = async () => (await readSideTable(conveyor.db, schema)).length

        // The worker (and the reaper) run in a child; this process enqueues, as an app's API would.
        const worker = spawnChild('worker', { databaseUrl, schema, handler: 'record', type: 'load', concurrency: 20, leaseMs: 10_000, maintenance: { reaperIntervalMs: 500 } })
        await worker.waitFor((m) => m.event === 'ready')

        const ids = new Set<string>()
        const terminated: string[][] = []
        const transactions: string[] = []
        let ranAtLastKill = 0
        for (let b = 0; b < JOBS / BATCH; b++) {
          const inputs = Array.from({ length: BATCH }, (_, i) => ({
            type: 'load',
            idempotencyKey: `load-${b * BATCH + i}`,
            maxAttempts: 25,
            backoff: { type: 'fixed' as const, delayMs: 100 },
          }))
          const jobs: Job[] = await retried(() => conveyor.enqueueMany(inputs))
          for (const j of jobs) ids.add(j.id)
          if (!KILL_AFTER_BATCHES.includes(b + 1)) continue
          // Kill while the worker is demonstrably working (it ran jobs since the last kill), with a
          // transaction of this process in flight: it must fail cleanly, not take the process down.
          await until(conveyor, async () => (await ranSoFar()) > ranAtLastKill)
          let inside!: () => void
          const opened = new Promise<void>((r) => (inside = r))
          let killed!: () => void
          const afterKill = new Promise<void>((r) => (killed = r))
          const tx = conveyor.db
            .transaction(async (t) => {
              await t.query('SELECT 1')
              inside()
              await afterKill
              await t.query('SELECT 1')
            })
            .then(
              () => 'committed',
              () => 'rejected',
            )
          await opened
          terminated.push(await terminate())
          killed()
          transactions.push(await tx)
          ranAtLastKill = await retried(ranSoFar)
        }
        expect(ids.size).toBe(JOBS)
        for (const names of terminated) expect(names.length).toBeGreaterThan(0)
        expect(new Set(terminated.flat())).toEqual(new Set(['conveyor', 'conveyor-listen']))
        expect(transactions).toEqual(KILL_AFTER_BATCHES.map(() => 'rejected'))

        await untilCount(conveyor, 'load', 'completed', JOBS)
        // The worker process lived through it all and still stops cleanly.
        worker.send('stop')
        await worker.waitFor((m) => m.event === 'stopped')
        expect((await worker.exited).code).toBe(0)

        const stats = await conveyor.stats({ type: 'load' })
        expect(stats).toMatchObject({ total: JOBS, completed: JOBS })
        const counts = countByJob(await readSideTable(conveyor.db, schema))
        expect(new Set(counts.keys())).toEqual(ids)
        expect([...counts.entries()].filter(([, n]) => n !== 1)).toEqual([])
      } finally {
        await killAllChildren()
        await c?.close()
        await admin.query(`DROP DATABASE IF EXISTS "${dbName}" WITH (FORCE)`)
        await admin.end()
      }
    },
    180_000,
  )
})
