import { spawnSync } from 'node:child_process'
import { existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs'
import { hostname } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { Conveyor } from '../../src/index.ts'
import { DATABASE_URL, logger } from '../helpers.ts'
import { spawnChild } from './children.ts'
import { closeConveyor, dataDir } from './store.ts'

// The embedded data directory only: PostgreSQL has its own crash recovery and no directory lock.
describe.skipIf(!!DATABASE_URL)('an embedded data directory after a crash', () => {
  it(
    'a producer SIGKILLed mid-stream loses no job whose id it had printed, and its stale lock is taken over',
    async () => {
      const dir = await dataDir()
      const producer = spawnChild('enqueue', { dataDir: dir, schema: 'conveyor', mode: 'stream' })
      await producer.waitForCount('enqueued', 200)
      await producer.kill()
      expect(existsSync(join(dir, 'conveyor.lock'))).toBe(true) // the dead producer's

      const printed = producer.all('enqueued').map((m) => m.id as string)
      expect(printed.length).toBeGreaterThanOrEqual(200)
      const c = await Conveyor.open({ dataDir: dir, logger, maintenance: false })
      try {
        const rows = await c.db.query<{ id: string }>(`SELECT id FROM conveyor.jobs WHERE id = ANY($1::uuid[])`, [printed])
        expect(rows.map((r) => r.id).sort()).toEqual([...printed].sort())
        // Still a working store: the next enqueue lands next to them.
        const next = await c.enqueue({ type: 'streamed' })
        expect(await c.getJob(next.id)).toMatchObject({ status: 'pending' })
      } finally {
        await closeConveyor(c)
      }
    },
    120_000,
  )

  it(
    'a directory whose first-time setup was killed (a staging pgdata.init-<pid>, no pgdata) opens fine',
    async () => {
      const dir = await dataDir({ fresh: true })
      // What a process SIGKILLed while creating the database leaves: its lock and a half-made staging copy.
      const dead = spawnSync(process.execPath, ['-e', '']).pid!
      const staging = join(dir, `pgdata.init-${dead}`)
      mkdirSync(join(staging, 'base'), { recursive: true })
      writeFileSync(join(staging, 'postgresql.conf'), '# half written')
      writeFileSync(join(dir, 'conveyor.lock'), JSON.stringify({ pid: dead, host: hostname(), since: new Date().toISOString() }))

      const c = await Conveyor.open({ dataDir: dir, logger, maintenance: false })
      try {
        const job = await c.enqueue({ type: 'after-crash' })
        expect(await c.getJob(job.id)).toMatchObject({ id: job.id, status: 'pending' })
        expect(existsSync(join(dir, 'pgdata', 'PG_VERSION'))).toBe(true)
        // The dead process's staging copy is not kept for ever (a real one is tens of MB).
        expect(readdirSync(dir).filter((f) => f.startsWith('pgdata.init-'))).toEqual([])
      } finally {
        await closeConveyor(c)
      }
    },
    120_000,
  )
})
