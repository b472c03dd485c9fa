import { describe, expect, it } from 'vitest'
import { spawnChild } from './children.ts'
import { countByJob, createSideTable, readSideTable, recordRun } from './fixtures/side-table.ts'
import { closeConveyor, sharedStore } from './store.ts'
import { untilCount } from './until.ts'

describe('a worker process killed while it holds jobs', () => {
  it(
    'SIGKILLed with 50 running jobs: after the lease runs out each runs again elsewhere and completes exactly once',
    async () => {
      const store = await sharedStore()
      const setup = await store.open()
      await createSideTable(setup.db, store.schema)
      // backoff 0: the reaped attempt is retried at once rather than after the default 0.5–1 s.
      const jobs = await setup.enqueueMany(Array.from({ length: 50 }, (_, i) => ({ type: 'held', payload: { i }, backoff: { type: 'fixed' as const, delayMs: 0 } })))
      const ids = jobs.map((j) => j.id).sort()
      // PGlite: one process at a time owns the directory, so the test lets go of it while the child runs.
      if (!process.env.DATABASE_URL) await closeConveyor(setup)

      const doomed = spawnChild('worker', { ...store.childConfig, handler: 'block', type: 'held', concurrency: 50, leaseMs: 1500 })
      const started = await doomed.waitForCount('started', 50)
      expect(started.map((m) => m.id).sort()).toEqual(ids)
      const doomedId = started[0]!.workerId
      await doomed.kill()

      // The survivor reaps (maintenance with a short interval) and works: the same job type, the app's
      // real handler writing its side-table row.
      const survivor = await store.open({ migrate: false, maintenance: { reaperIntervalMs: 100 } })
      const worker = survivor.work({ held: async (job, ctx) => recordRun(survivor.db, store.schema, job, ctx.workerId) }, { concurrency: 50 })
      await untilCount(survivor, 'held', 'completed', 50)
      await worker.stop()

      const rows = await readSideTable(survivor.db, store.schema)
      const counts = countByJob(rows)
      expect([...counts.keys()].sort()).toEqual(ids)
      expect([...counts.values()].every((n) => n === 1)).toBe(true)
      expect(rows.every((r) => r.attempt === 2 && r.worker === worker.id)).toBe(true)
      for (const id of ids) {
        const job = await survivor.getJob(id)
        expect(job).toMatchObject({ status: 'completed', attempts: 2, lockedBy: worker.id })
        expect(job!.attemptLog!.map((a) => [a.attempt, a.outcome, a.workerId])).toEqual([
          [1, 'lease_expired', doomedId],
          [2, 'completed', worker.id],
        ])
      }
    },
    120_000,
  )
})
