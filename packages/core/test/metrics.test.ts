import { describe, expect, it } from 'vitest'
import { quantile, Rollup } from '../src/index.ts'
import { logger, openConveyor, waitForStatus } from './helpers.ts'

describe('metrics', () => {
  it('rolls finished jobs up by minute, queue and type, and summarises them', async () => {
    const c = await openConveyor()
    const jobs = await c.enqueueMany([
      { type: 'ok' },
      { type: 'ok' },
      { type: 'ok', queue: 'other' },
      { type: 'bad', maxAttempts: 1 },
      { type: 'never' },
    ])
    const worker = c.work({ ok: async () => 1, bad: async () => { throw new Error('upstream timeout after 1200 ms') } }, { queues: ['default', 'other'] })
    for (const j of jobs.slice(0, 4)) await waitForStatus(c, j.id, ['completed', 'failed'])
    await worker.stop()
    await c.cancel(jobs[4]!.id)
    await c.rollup.runOnce()
    await c.rollup.runOnce() // a second pass replaces the same rows: nothing is counted twice
    const s = await c.metrics.summary({ window: '1h' })
    expect(s.totals).toEqual({ enqueued: 5, completed: 3, failed: 1, cancelled: 1 })
    expect(s.successRate).toBeCloseTo(0.75)
    expect(s.duration.count).toBe(4)
    expect(s.duration.p50Ms).not.toBeNull()
    expect(s.byType.map((t) => [t.type, t.completed, t.failed])).toEqual([
      ['bad', 0, 1],
      ['never', 0, 0],
      ['ok', 3, 0],
    ])
    expect(s.series.reduce((a, p) => a + p.completed, 0)).toBe(3)
    expect((await c.metrics.summary({ window: '1h', queue: 'other' })).totals.completed).toBe(1)
    await expect(c.metrics.summary({ window: '2y' })).rejects.toMatchObject({ code: 'invalid_input' })
  })

  it('rollups equal a direct count over the jobs for a generated workload', async () => {
    const c = await openConveyor()
    const types = ['a', 'b', 'c']
    const inputs = Array.from({ length: 240 }, (_, i) => ({
      type: types[i % 3]!,
      queue: i % 2 ? 'q1' : 'q2',
      maxAttempts: 1,
      payload: { outcome: (i * 7) % 5 === 0 ? 'fail' : (i * 11) % 13 === 0 ? 'cancel' : 'ok' },
    }))
    const jobs = await c.enqueueMany(inputs)
    for (const j of jobs) if ((j.payload as { outcome: string }).outcome === 'cancel') await c.cancel(j.id)
    const handler = async (job: { payload: unknown }) => {
      if ((job.payload as { outcome: string }).outcome === 'fail') throw new Error('planned')
      return 1
    }
    const worker = c.work({ a: handler, b: handler, c: handler }, { queues: ['q1', 'q2'], concurrency: 20 })
    for (const j of jobs) await waitForStatus(c, j.id, ['completed', 'failed', 'cancelled'])
    await worker.stop()
    await c.rollup.runOnce()
    const direct = await c.db.query<{ type: string; status: string; n: number }>(
      `SELECT type, status::text AS status, count(*)::int AS n FROM "${c.schema}".jobs GROUP BY 1, 2`,
    )
    const s = await c.metrics.summary({ window: '1h' })
    for (const t of types) {
      const count = (status: string) => direct.find((d) => d.type === t && d.status === status)?.n ?? 0
      const row = s.byType.find((b) => b.type === t)!
      expect([row.completed, row.failed]).toEqual([count('completed'), count('failed')])
    }
    expect(s.totals.enqueued).toBe(240)
    expect(s.totals.cancelled).toBe(direct.filter((d) => d.status === 'cancelled').reduce((a, d) => a + d.n, 0))
    expect(s.totals.completed + s.totals.failed + s.totals.cancelled).toBe(240)
    const perQueue = await c.metrics.summary({ window: '1h', queue: 'q1' })
    expect(perQueue.totals.enqueued).toBe(120)
  })

  it('apostrophes inside words do not quote: unrelated errors stay in their own groups', async () => {
    const c = await openConveyor()
    const messages = ["Can't connect to the database, won't retry", "Can't find invoice 12, won't retry", "file 'a.txt' missing", "file 'b.txt' missing"]
    const jobs = await c.enqueueMany(messages.map((m) => ({ type: 'x', maxAttempts: 1, payload: { m } })))
    const worker = c.work({
      x: (job) => {
        throw new Error((job.payload as { m: string }).m)
      },
    })
    for (const j of jobs) await waitForStatus(c, j.id, ['failed'])
    await worker.stop()
    const groups = await c.metrics.errors({ window: '1h' })
    expect(groups.map((g) => [g.shape, g.count]).sort()).toEqual([
      ["Can't connect to the database, won't retry", 1],
      ["Can't find invoice <n>, won't retry", 1],
      ['file <text> missing', 2],
    ])
  })

  it('groups failures by error name and message shape, with a sample job', async () => {
    const c = await openConveyor()
    const jobs = await c.enqueueMany(Array.from({ length: 4 }, (_, i) => ({ type: 'fetch', maxAttempts: 1, payload: { i } })))
    let n = 0
    const worker = c.work({
      fetch: async () => {
        n++
        if (n % 2) throw new Error(`timeout after ${1000 + n} ms`)
        throw new TypeError(`cannot read "field${n}"`)
      },
    })
    for (const j of jobs) await waitForStatus(c, j.id, ['failed'])
    await worker.stop()
    const groups = await c.metrics.errors({ window: '1h' })
    expect(groups.map((g) => [g.name, g.shape, g.count])).toEqual([
      ['Error', 'timeout after <n> ms', 2],
      ['TypeError', 'cannot read <text>', 2],
    ])
    expect(jobs.map((j) => j.id)).toContain(groups[0]!.sampleJobId)

    // The jobs of one group, e.g. to retry them all; another type or queue narrows it to none.
    const failed = await Promise.all(jobs.map((j) => c.getJob(j.id)))
    const timedOut = failed.filter((j) => j!.lastError!.name === 'Error').map((j) => j!.id)
    const timeouts = await c.metrics.errorGroupJobIds({ name: 'Error', shape: 'timeout after <n> ms', window: '1h' })
    expect(timeouts.sort()).toEqual(timedOut.sort())
    expect(await c.metrics.errorGroupJobIds({ name: 'TypeError', shape: 'cannot read <text>' })).toHaveLength(2)
    expect(await c.metrics.errorGroupJobIds({ name: 'Error', shape: 'timeout after <n> ms', type: 'other' })).toEqual([])
    expect(await c.metrics.errorGroupJobIds({ name: 'Error', shape: 'timeout after <n> ms', queue: 'other' })).toEqual([])
  })

  it('folds minutes older than 30 days into hours, adding their histograms', async () => {
    const c = await openConveyor()
    const M = `"${c.schema}".metrics_minute`
    await c.db.query(
      `INSERT INTO ${M} (bucket, queue, type, completed, duration_count, duration_total_ms, duration_max_ms, duration_buckets)
       VALUES (date_trunc('hour', now()) - interval '40 days' + interval '1 minute', 'q', 't', 2, 2, 30, 20, '{1,1}'),
              (date_trunc('hour', now()) - interval '40 days' + interval '2 minutes', 'q', 't', 3, 3, 9, 4, '{3}')`,
    )
    await new Rollup(c.db, c.schema, logger).runOnce()
    const hours = await c.db.query<Record<string, unknown>>(`SELECT * FROM "${c.schema}".metrics_hour`)
    expect(hours).toHaveLength(1)
    expect(hours[0]).toMatchObject({ completed: 5, duration_count: 5, duration_max_ms: 20 })
    expect((hours[0]!.duration_buckets as number[]).slice(0, 2)).toEqual([4, 1])
    expect(await c.db.query(`SELECT 1 FROM ${M} WHERE bucket < now() - interval '30 days'`)).toHaveLength(0)
    expect((await c.metrics.summary({ window: '30d' })).totals.completed).toBe(0) // 40 days old: outside the window
  })

  it('estimates quantiles from histogram buckets', () => {
    // 10 values in [0,5), 10 in [5,10): the median sits at the bucket edge.
    expect(quantile([10, 10], 0.5, 9)).toBe(5)
    expect(quantile([0, 0, 4], 1, 20)).toBe(20) // never above the largest value seen
    expect(quantile([], 0.5, 0)).toBeNull()
  })
})
