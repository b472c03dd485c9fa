import { describe, expect, it } from 'vitest'
import type { EnqueueResult } from '../../src/index.ts'
import { DATABASE_URL, openConveyor } from '../helpers.ts'
import { spawnChild } from './children.ts'
import { sharedStore } from './store.ts'

interface Outcome {
  owner: string
  id: string
  duplicate: boolean
}

/** Every call of one owner got the same job, exactly one call per owner created it, and owners differ. */
function expectOneJobPerOwner(outcomes: Outcome[], owners: string[]) {
  const idOf = new Map<string, string>()
  for (const owner of owners) {
    const mine = outcomes.filter((o) => o.owner === owner)
    expect(mine.length).toBeGreaterThan(0)
    const ids = new Set(mine.map((o) => o.id))
    expect(ids.size).toBe(1)
    expect(mine.filter((o) => !o.duplicate)).toHaveLength(1)
    idOf.set(owner, mine[0]!.id)
  }
  expect(new Set(idOf.values()).size).toBe(owners.length)
  return idOf
}

describe('one idempotency key enqueued concurrently', () => {
  it('100 concurrent calls in one process make one job per owner and all return its id', async () => {
    const c = await openConveyor()
    const owners = ['u1', 'u2']
    // 100 calls for u1 with one key, interleaved with 100 for u2 with the same key: all at once.
    const results = await Promise.all(
      Array.from({ length: 200 }, async (_, i): Promise<Outcome> => {
        const owner = owners[i % 2]!
        const r: EnqueueResult = await c.submit({ type: 'idem', idempotencyKey: 'report-2024', owner })
        return { owner, id: r.job.id, duplicate: r.duplicate }
      }),
    )
    const idOf = expectOneJobPerOwner(results, owners)
    expect((await c.stats({ type: 'idem' })).total).toBe(2)
    for (const owner of owners) {
      const { jobs } = await c.listJobs({ type: 'idem', owner })
      expect(jobs.map((j) => j.id)).toEqual([idOf.get(owner)])
    }
  })

  // Four processes share one database here, which PGlite cannot do (one process owns an embedded
  // directory); the HTTP worker protocol that lets PGlite do it comes later.
  it.skipIf(!DATABASE_URL)(
    '100 calls from 4 processes at once make one job per owner and all return its id',
    async () => {
      const store = await sharedStore()
      const c = await store.open()
      const owners = ['u1', 'u2']
      // Each process makes 25 calls per owner at once (50 in all), so 100 calls per owner race.
      const children = Array.from({ length: 4 }, () =>
        spawnChild('enqueue', { ...store.childConfig, mode: 'idempotent', calls: 50, key: 'report-2024', owners }),
      )
      await Promise.all(children.map((p) => p.waitFor((m) => m.event === 'ready')))
      for (const p of children) p.send('go')
      const messages = await Promise.all(children.map((p) => p.waitFor((m) => m.event === 'results')))
      const results = messages.flatMap((m) => m.results as Outcome[])
      expect(results).toHaveLength(200)
      for (const owner of owners) expect(results.filter((r) => r.owner === owner)).toHaveLength(100)
      const idOf = expectOneJobPerOwner(results, owners)
      expect((await c.stats({ type: 'idem' })).total).toBe(2)
      for (const owner of owners) {
        const { jobs } = await c.listJobs({ type: 'idem', owner })
        expect(jobs.map((j) => j.id)).toEqual([idOf.get(owner)])
      }
    },
    60_000,
  )
})
