import { describe, expect, it, vi } from 'vitest'
import { openConveyor, waitForStatus } from './helpers.ts'

describe('fair sharing between owners', () => {
  it('with one owner flooding a queue with 10,000 jobs, another owner’s job still starts at once', async () => {
    const c = await openConveyor()
    await c.setQueueLimits('default', { ownerConcurrency: 2, ownerEnqueuesPerMinute: null })
    await c.enqueueMany(Array.from({ length: 10_000 }, (_, i) => ({ type: 'work', owner: 'flood', payload: { i } })))
    const other = await c.enqueue({ type: 'work', owner: 'quiet' })
    let releaseFlood!: () => void
    const released = new Promise<void>((r) => (releaseFlood = r))
    const runningByOwner = new Map<string, number>()
    let maxFlood = 0
    const worker = c.work(
      {
        work: async (job) => {
          const owner = job.owner!
          runningByOwner.set(owner, (runningByOwner.get(owner) ?? 0) + 1)
          maxFlood = Math.max(maxFlood, runningByOwner.get('flood') ?? 0)
          if (owner === 'flood') await released
          runningByOwner.set(owner, runningByOwner.get(owner)! - 1)
        },
      },
      { concurrency: 10 },
    )
    const done = await waitForStatus(c, other.id, ['completed'])
    const stats = await c.stats({ owner: 'flood' })
    releaseFlood()
    await worker.stop({ gracefulStopMs: 5000 })
    expect(done.status).toBe('completed')
    expect(stats.running).toBe(2) // the flood never held more than its share
    expect(stats.pending).toBeGreaterThan(9000) // the quiet owner did not wait for the flood
    expect(maxFlood).toBeLessThanOrEqual(2)
  })

  it('jobs without an owner are not limited, and a queue without limits takes the fast path', async () => {
    const c = await openConveyor()
    await c.setQueueLimits('limited', { ownerConcurrency: 1, ownerEnqueuesPerMinute: null })
    const jobs = await c.enqueueMany([
      { type: 'w', queue: 'limited' },
      { type: 'w', queue: 'limited' },
      { type: 'w', queue: 'limited', owner: 'a' },
      { type: 'w', queue: 'limited', owner: 'a' },
      { type: 'w', queue: 'free', owner: 'a' },
      { type: 'w', queue: 'free', owner: 'a' },
    ])
    const claimed = await c.jobs.claim({ workerId: 'w', queues: ['limited', 'free'], limit: 10, leaseMs: 60_000 })
    const ids = new Set(claimed.map((j) => j.id))
    expect(ids.has(jobs[0]!.id) && ids.has(jobs[1]!.id)).toBe(true) // no owner: no limit
    expect([jobs[2]!.id, jobs[3]!.id].filter((id) => ids.has(id))).toHaveLength(1) // owner a: one at a time
    expect(ids.has(jobs[4]!.id) && ids.has(jobs[5]!.id)).toBe(true) // the other queue has no limit
    expect(await c.jobs.claim({ workerId: 'w', queues: ['limited'], limit: 10, leaseMs: 60_000 })).toEqual([])
  })

  it('refuses enqueues past an owner’s per-minute limit with rate_limited and a retry time', async () => {
    const c = await openConveyor()
    await c.setQueueLimits('default', { ownerConcurrency: null, ownerEnqueuesPerMinute: 3 })
    await c.enqueueMany([{ type: 'x', owner: 'u' }, { type: 'x', owner: 'u' }])
    await c.enqueue({ type: 'x', owner: 'u' })
    const err = await c.enqueue({ type: 'x', owner: 'u' }).catch((e: unknown) => e)
    expect(err).toMatchObject({ code: 'rate_limited', details: { limit: 3, owner: 'u' } })
    expect((err as { details: { retryAfterSeconds: number } }).details.retryAfterSeconds).toBeGreaterThan(0)
    await expect(c.enqueueMany([{ type: 'x', owner: 'v' }, { type: 'x', owner: 'v' }, { type: 'x', owner: 'v' }, { type: 'x', owner: 'v' }])).rejects.toMatchObject({ code: 'rate_limited' })
    await c.enqueue({ type: 'x', owner: 'v' }) // another owner has its own budget
    await c.enqueue({ type: 'x' }) // jobs without an owner are not limited
    expect((await c.stats()).total).toBe(5)
  })
})

describe("the fair claim's plan after a flood", () => {
  it('re-analyzes the jobs table, so the owners are walked through their index, not by sorting every pending job', async () => {
    const c = await openConveyor({ maintenance: false })
    const s = `"${c.schema}"`
    await c.setQueueLimits('default', { ownerConcurrency: 5, ownerEnqueuesPerMinute: null })
    // Statistics from a table of finished jobs: pending looks rare, as before a flood. (At these sizes
    // PostgreSQL 15 without a fresh ANALYZE sorted every pending job once per owner.)
    await c.db.exec(`INSERT INTO ${s}.jobs (id, type, owner, status, progress, completed_at)
      SELECT gen_random_uuid(), 'w', 'old-' || (g % 20), 'completed', 100, now() FROM generate_series(1, 20000) g;
      ANALYZE ${s}.jobs`)
    for (let b = 0; b < 2; b++) await c.enqueueMany(Array.from({ length: 10_000 }, (_, i) => ({ type: 'w', owner: `user-${i % 100}` })))
    // PostgreSQL's change counts reach its statistics views within a few seconds; PGlite's are counted here.
    await vi.waitFor(async () => expect(await c.jobs.tableStats.refresh()).toBe(true), { timeout: 20_000, interval: 250 })
    const plan = (
      await c.db.query<{ 'QUERY PLAN': string }>(`EXPLAIN (COSTS OFF) ${c.jobs.q.jobClaimFair}`, ['w1', 'default', null, 10, 30_000, c.jobs.channel, 5])
    )
      .map((r) => r['QUERY PLAN'])
      .join('\n')
    expect(plan).toContain('jobs_owner_claim_idx')
    expect(plan).not.toMatch(/Sort Key: (j|jobs)\.owner/)
    // Nothing changed since: no second ANALYZE.
    expect(await c.jobs.tableStats.refresh()).toBe(false)
    const claimed = await c.jobs.claim({ workerId: 'w1', queues: ['default'], limit: 10, leaseMs: 30_000 })
    expect(claimed).toHaveLength(10)
  })
})
