import { spawnSync } from 'node:child_process'
import { mkdirSync, writeFileSync } from 'node:fs'
import { hostname } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { Conveyor, loadMigrations } from '../../src/index.ts'
import { DATABASE_URL, logger, testDbOptions, uniqueSchema } from '../helpers.ts'
import { type Child, spawnChild } from './children.ts'
import { closeConveyor, dataDir, tempDir } from './store.ts'

/** Spawns processes that each say `ready`, and sends all of them `go` in one tick. */
async function startTogether(children: Child[]): Promise<void> {
  await Promise.all(children.map((c) => c.waitFor((m) => m.event === 'ready')))
  for (const c of children) c.send('go')
}

/** The pid of a process that has exited (for a lock left by a dead process). */
function deadPid(): number {
  return spawnSync(process.execPath, ['-e', '']).pid!
}

describe('two processes migrating one new database at once', () => {
  // Two processes share one database here, which PGlite cannot do (one process owns an embedded
  // directory): its counterpart below checks that the second process is refused instead.
  it.skipIf(!DATABASE_URL)(
    'PostgreSQL: both open each brand-new schema, every migration is recorded once, and the schema works',
    async () => {
      const schemas = Array.from({ length: 5 }, () => uniqueSchema())
      for (const s of schemas) testDbOptions(s) // dropped after the file
      const config = { databaseUrl: DATABASE_URL, schema: schemas[0], schemas }
      const children = [spawnChild('open', config), spawnChild('open', config)]
      await startTogether(children)
      for (const c of children) await c.waitFor((m) => m.event === 'done')
      for (const c of children) expect(c.all('opened').map((m) => m.schema)).toEqual(schemas)

      const versions = loadMigrations().map((m) => m.version)
      for (const schema of schemas) {
        const c = await Conveyor.open({ databaseUrl: DATABASE_URL, schema, logger, maintenance: false, migrate: false })
        try {
          const ledger = await c.db.query<{ version: number; n: number }>(
            `SELECT version, count(*)::int AS n FROM "${schema}".migrations GROUP BY version ORDER BY version`,
          )
          expect(ledger).toEqual(versions.map((version) => ({ version, n: 1 })))
          const job = await c.enqueue({ type: 'proof' })
          expect(await c.getJob(job.id)).toMatchObject({ id: job.id, status: 'pending' })
        } finally {
          await c.close()
        }
      }
    },
    60_000,
  )

  // The embedded data directory only; the PostgreSQL pass runs the test above.
  it.skipIf(!!DATABASE_URL)(
    'PGlite: of two processes opening one new data directory, one wins; the other is refused with data_dir_locked',
    async () => {
      const dir = await dataDir({ fresh: true })
      const config = { dataDir: dir, schema: 'conveyor', hold: true }
      const children = [spawnChild('open', config), spawnChild('open', config)]
      await startTogether(children)
      const first = await Promise.race(children.map((c) => c.waitFor((m) => m.event === 'opened' || m.event === 'refused').then((m) => ({ c, m }))))
      const other = children.find((c) => c !== first.c)!
      const second = await other.waitFor((m) => m.event === 'opened' || m.event === 'refused')
      const outcomes = [first.m, second]
      expect(outcomes.map((m) => m.event).sort()).toEqual(['opened', 'refused'])
      const winner = first.m.event === 'opened' ? first.c : other
      const refused = outcomes.find((m) => m.event === 'refused')!
      expect(refused.code).toBe('data_dir_locked')
      // The message names the holder and says what to do instead.
      expect(refused.message).toContain(`pid ${winner.pid}`)
      expect(refused.message).toMatch(/Stop the other process/)
      expect(refused.message).toMatch(/--data-dir/)
      expect(refused.message).toMatch(/DATABASE_URL/)

      winner.send('use')
      const used = await winner.waitFor((m) => m.event === 'used')
      expect(used.status).toBe('pending')
      winner.send('close')
      await winner.waitFor((m) => m.event === 'closed')
      const c = await Conveyor.open({ dataDir: dir, logger, maintenance: false })
      try {
        expect(await c.getJob(used.id as string)).toMatchObject({ status: 'pending', payload: { by: winner.pid } })
      } finally {
        await closeConveyor(c)
      }
    },
    120_000,
  )

  // The embedded directory's lock itself, raced tightly: two processes meet at a barrier before each
  // of many directories. Before dir-lock.ts published the lock in one step, 2.6% of fresh races and 5%
  // of stale takeovers had both processes win. PostgreSQL takes no such lock: this runs in the PGlite pass.
  for (const kind of ['fresh', 'stale'] as const) {
    it.skipIf(!!DATABASE_URL)(`two processes racing for the lock of 400 ${kind} data directories never both win one`, async () => {
      const root = tempDir()
      if (kind === 'stale') {
        const holder = JSON.stringify({ pid: deadPid(), host: hostname(), since: new Date().toISOString() })
        for (let i = 0; i < 400; i++) {
          mkdirSync(join(root, `d${i}`))
          writeFileSync(join(root, `d${i}`, 'conveyor.lock'), holder)
        }
      }
      const a = spawnChild('lock-race', { root, count: 400, me: 'a', other: 'b' })
      const b = spawnChild('lock-race', { root, count: 400, me: 'b', other: 'a' })
      await startTogether([a, b])
      const [wonA, wonB] = await Promise.all([a, b].map(async (c) => new Set((await c.waitFor((m) => m.event === 'won')).indexes as number[])))
      const both = [...wonA!].filter((i) => wonB!.has(i))
      expect(both).toEqual([])
      expect(wonA!.size + wonB!.size).toBe(400)
    }, 60_000)
  }
})
