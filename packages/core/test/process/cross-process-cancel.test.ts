import { describe, expect, it } from 'vitest'
import { DATABASE_URL, waitForStatus } from '../helpers.ts'
import { spawnChild } from './children.ts'
import { createSideTable, readSideTable } from './fixtures/side-table.ts'
import { sharedStore } from './store.ts'

describe('cancel from another process', () => {
  // The worker and the canceller are two processes on one database, which PGlite cannot do (one
  // process owns an embedded directory); the HTTP worker protocol that lets PGlite do it comes later.
  it.skipIf(!DATABASE_URL)(
    "cancelling a job running in a worker process fires its handler's signal and the job ends cancelled",
    async () => {
      const store = await sharedStore()
      const c = await store.open()
      await createSideTable(c.db, store.schema)
      const worker = spawnChild('worker', { ...store.childConfig, handler: 'cancel', type: 'long' })
      await worker.waitFor((m) => m.event === 'ready')
      const job = await c.enqueue({ type: 'long' })
      await worker.waitFor((m) => m.event === 'started' && m.id === job.id)

      const asked = await c.cancel(job.id)
      expect(asked).toMatchObject({ status: 'running', cancelRequested: true })

      // The child's handler saw its signal abort, and wrote down why before saying so.
      const aborted = await worker.waitFor((m) => m.event === 'aborted' && m.id === job.id)
      expect(aborted.reason).toBe('CancelledError')
      expect(await readSideTable(c.db, store.schema)).toEqual([
        { jobId: job.id, attempt: 1, worker: expect.any(String), note: 'aborted:CancelledError' },
      ])
      const done = await waitForStatus(c, job.id, ['cancelled', 'failed', 'completed'])
      expect(done).toMatchObject({ status: 'cancelled', attempts: 1 })
      expect(done.attemptLog!.map((a) => a.outcome)).toEqual(['cancelled'])
    },
    60_000,
  )
})
