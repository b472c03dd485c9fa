import { metricsErrorsResponseSchema, metricsSummaryResponseSchema } from '@conveyor/contracts'
import { describe, expect, it } from 'vitest'
import { type Headers, openApp, type TestApp } from './helpers.ts'

/** Enqueues a job and fails it for good over the HTTP worker routes. */
async function failed(t: TestApp, type: string, message: string, name?: string): Promise<string> {
  const job = (await t.call('POST', '/api/jobs', undefined, { type, maxAttempts: 1 })).body.job
  const [claimed] = (await t.call('POST', '/api/workers/claim', undefined, { workerId: 'w1', types: [type] })).body.jobs
  expect(claimed.id).toBe(job.id)
  await t.call('POST', `/api/jobs/${job.id}/fail`, undefined, { workerId: 'w1', error: { message, ...(name ? { name } : {}) } })
  return job.id
}

describe('metrics routes', () => {
  it('answer the summary in the contract shape for every window, to admin, producer and viewer', async () => {
    const t = await openApp()
    await failed(t, 'scan', 'boom')
    await t.call('POST', '/api/jobs', undefined, { type: 'scan' })
    await t.conveyor.rollup.runOnce()
    const readers: Headers[] = [await t.keyFor('admin'), await t.keyFor('producer'), await t.keyFor('viewer')]
    for (const who of readers) {
      for (const window of ['1h', '24h', '7d', '30d']) {
        const res = await t.call('GET', `/api/metrics/summary?window=${window}&type=scan`, who)
        expect(res.status, window).toBe(200)
        const s = metricsSummaryResponseSchema.parse(res.body).summary
        expect(s).toMatchObject({ window, totals: { enqueued: 2, failed: 1, completed: 0 }, successRate: 0 })
        expect(s.queues).toEqual([expect.objectContaining({ name: 'default', pending: 1, running: 0 })])
      }
    }
    expect((await t.call('GET', '/api/metrics/summary?window=1y')).body.error.details[0]).toMatchObject({ path: 'window' })
  })

  it('groups errors, each with a link to a jobs list that shows exactly its failed jobs', async () => {
    const t = await openApp()
    const timeouts = [await failed(t, 'scan', 'upstream timeout after 30 ms'), await failed(t, 'scan', 'upstream timeout after 4500 ms')]
    const other = await failed(t, 'scan', 'cannot parse "page-7"', 'TypeError')
    await failed(t, 'export', 'upstream timeout after 12 ms') // the same shape in another type: its own list
    const res = await t.call('GET', '/api/metrics/errors?window=1h&type=scan')
    const groups = metricsErrorsResponseSchema.parse(res.body).errors
    expect(groups.map((g) => [g.name, g.shape, g.count])).toEqual([
      ['Error', 'upstream timeout after <n> ms', 2],
      ['TypeError', 'cannot parse <text>', 1],
    ])
    expect(groups[0]!.link).toBe('/jobs?status=failed&type=scan&q=upstream%20timeout%20after')
    expect(groups[1]!.link).toBe('/jobs?status=failed&type=scan&q=cannot%20parse')
    // The dashboard's /jobs reads the same parameters as GET /api/jobs.
    const listed = async (link: string) => (await t.call('GET', `/api${link}`)).body.jobs.map((j: { id: string }) => j.id).sort()
    expect(await listed(groups[0]!.link)).toEqual([...timeouts].sort())
    expect(await listed(groups[1]!.link)).toEqual([other])
    // Without a type filter, a group spanning two types links to the failed jobs of either.
    const all = metricsErrorsResponseSchema.parse((await t.call('GET', '/api/metrics/errors?window=1h')).body).errors
    expect(all[0]).toMatchObject({ count: 3, types: ['export', 'scan'], link: '/jobs?status=failed&q=upstream%20timeout%20after' })
    expect(await listed(all[0]!.link)).toHaveLength(3)
    expect((await t.call('GET', '/api/metrics/errors?limit=1')).body.errors).toHaveLength(1)
  })

  it('retries every failed job of one group, and nothing else', async () => {
    const t = await openApp()
    const scans = [await failed(t, 'scan', 'timeout after 30 ms'), await failed(t, 'scan', 'timeout after 31 ms')]
    const exportJob = await failed(t, 'export', 'timeout after 32 ms')
    const other = await failed(t, 'scan', 'no such host')
    const res = await t.call('POST', '/api/metrics/errors/retry', undefined, { name: 'Error', shape: 'timeout after <n> ms', type: 'scan' })
    expect(res).toMatchObject({ status: 200, body: { affected: 2 } })
    const status = async (id: string) => (await t.call('GET', `/api/jobs/${id}`)).body.job.status
    for (const id of scans) expect(await status(id)).toBe('pending')
    expect(await status(exportJob)).toBe('failed')
    expect(await status(other)).toBe('failed')
    // Retried jobs are no longer failed: the same group again finds only the export job.
    expect((await t.call('POST', '/api/metrics/errors/retry', undefined, { name: 'Error', shape: 'timeout after <n> ms' })).body).toEqual({ affected: 1 })
    expect((await t.call('POST', '/api/metrics/errors/retry', undefined, { name: 'Nope', shape: 'x', window: '1h' })).body).toEqual({ affected: 0 })
    expect((await t.call('POST', '/api/metrics/errors/retry', undefined, { shape: 'x' })).status).toBe(400)
  })
})
