import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { freshStore, ok, openStore, spawnCli, tempDir } from './helpers.ts'

const SLOW = 240_000

describe('conveyor worker', () => {
  it(
    'worker --handlers runs jobs in its own process against the database, then stops cleanly on SIGTERM',
    async () => {
      const store = freshStore()
      const file = join(tempDir(), 'handlers.ts')
      writeFileSync(file, `export async function shout(job: { payload: { s: string } }) { return { shouted: job.payload.s.toUpperCase() } }\n`)
      const job = JSON.parse(await ok(['enqueue', 'shout', '--payload', '{"s": "ada"}', ...store])) as { id: string }

      const worker = spawnCli(['worker', '--handlers', file, '--concurrency', '2', ...store])
      await worker.waitForOutput(new RegExp(`shout  ${job.id}  completed`))
      expect(worker.stdout).toMatch(/concurrency 2/)
      worker.proc.kill('SIGTERM')
      expect(await worker.exited).toEqual({ code: 0, signal: null })
      expect(worker.stdout).toMatch(/Worker stopped\.\n$/)

      const conveyor = await openStore(store)
      try {
        expect(await conveyor.getJob(job.id)).toMatchObject({ status: 'completed', result: { shouted: 'ADA' } })
      } finally {
        await conveyor.close()
      }
    },
    SLOW,
  )
})
