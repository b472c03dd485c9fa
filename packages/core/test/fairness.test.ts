import { describe, expect, it } from 'vitest'
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
