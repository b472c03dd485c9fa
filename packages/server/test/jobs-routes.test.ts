import { jobResponseSchema, listResponseSchema, statsResponseSchema } from '@conveyor/contracts'
import { describe, expect, it } from 'vitest'
import { openApp } from './helpers.ts'

describe('jobs routes', () => {
  it('enqueues (201), answers a seen idempotency key with 200 and duplicate: true, and the /enqueue alias does the same', async () => {
    const { call } = await openApp()
    const first = await call('POST', '/api/jobs', undefined, { type: 'scan', payload: { url: 'https://a' }, idempotencyKey: 'k1', priority: 5 })
    expect(first.status).toBe(201)
    expect(jobResponseSchema.parse(first.body).job).toMatchObject({ type: 'scan', status: 'pending', priority: 5, payload: { url: 'https://a' } })
    expect(first.body.duplicate).toBeUndefined()

    const again = await call('POST', '/api/jobs/enqueue', undefined, { type: 'scan', idempotencyKey: 'k1' })
    expect(again.status).toBe(200)
    expect(again.body).toMatchObject({ duplicate: true, job: { id: first.body.job.id } })

    const alias = await call('POST', '/api/jobs/enqueue', undefined, { type: 'scan' })
    expect(alias.status).toBe(201)
    expect(alias.body.job.id).not.toBe(first.body.job.id)
  })

  it('enqueues a batch in one call', async () => {
    const { call } = await openApp()
    const res = await call('POST', '/api/jobs/batch', undefined, { jobs: [{ type: 'a' }, { type: 'b', queue: 'q2' }, { type: 'c' }] })
    expect(res.status).toBe(201)
    expect(res.body.jobs.map((j: { type: string }) => j.type)).toEqual(['a', 'b', 'c'])
    expect((await call('GET', '/api/jobs/stats')).body.stats.total).toBe(3)
  })

  it('lists with every filter, sorts, pages by cursor and offset, and accepts claimed for running', async () => {
    const { call, conveyor } = await openApp()
    await call('POST', '/api/jobs/batch', undefined, {
      jobs: [
        { type: 'scan', queue: 'web', owner: 'u1', name: 'first scan', metadata: { project: 'p1' } },
        { type: 'scan', queue: 'web', owner: 'u2', payload: { needle: 'haystack' } },
        { type: 'export', owner: 'u1', priority: 10 },
      ],
    })
    const [claimed] = await conveyor.jobs.claim({ workerId: 'w', queues: ['default'], types: null, limit: 1, leaseMs: 30_000 })
    const ids = async (qs: string) => {
      const res = await call('GET', `/api/jobs${qs}`)
      expect(res.status, qs).toBe(200)
      listResponseSchema.parse(res.body)
      return res.body.jobs.map((j: { type: string; owner: string }) => `${j.type}:${j.owner}`)
    }
    expect(await ids('?status=claimed')).toEqual([`export:u1`])
    expect(claimed?.type).toBe('export')
    expect(await ids('?status=pending,running&type=scan')).toHaveLength(2)
    expect(await ids('?status=pending&status=running')).toHaveLength(3)
    expect(await ids('?queue=web&owner=u1')).toEqual(['scan:u1'])
    expect(await ids('?q=haystack')).toEqual(['scan:u2'])
    expect(await ids('?q=first')).toEqual(['scan:u1'])
    expect(await ids(`?metadata=${encodeURIComponent('{"project":"p1"}')}`)).toEqual(['scan:u1'])
    expect(await ids('?createdAfter=2000-01-01&createdBefore=2000-01-02')).toEqual([])
    expect(await ids('?createdAfter=2000-01-01T00:00:00Z')).toHaveLength(3)
    expect(await ids('?sort=oldest')).toEqual(['scan:u1', 'scan:u2', 'export:u1'])
    expect(await ids('?sort=newest')).toEqual(['export:u1', 'scan:u2', 'scan:u1'])

    const page1 = await call('GET', '/api/jobs?limit=2&sort=oldest')
    expect(page1.body).toMatchObject({ count: 3 })
    expect(page1.body.jobs).toHaveLength(2)
    const page2 = await call('GET', `/api/jobs?limit=2&sort=oldest&cursor=${page1.body.nextCursor}`)
    const all = (await call('GET', '/api/jobs?sort=oldest')).body.jobs
    expect(page2.body.jobs.map((j: { id: string }) => j.id)).toEqual([all[2].id])
    expect(page2.body.nextCursor).toBeNull()
    expect((await call('GET', '/api/jobs?limit=1&offset=1&sort=oldest')).body.jobs[0].owner).toBe('u2')
  })

  it('clamps list limits to 500', async () => {
    const { call } = await openApp()
    await call('POST', '/api/jobs/batch', undefined, { jobs: Array.from({ length: 501 }, () => ({ type: 'noop' })) }).then((r) =>
      expect(r.status).toBe(201),
    )
    const res = await call('GET', '/api/jobs?limit=100000')
    expect(res.status).toBe(200)
    expect(res.body.jobs).toHaveLength(500)
    expect(res.body.count).toBe(501)
    expect(res.body.nextCursor).not.toBeNull()
  })

  it('counts by status, filtered by queue, type and owner', async () => {
    const { call } = await openApp()
    await call('POST', '/api/jobs/batch', undefined, {
      jobs: [{ type: 'a', owner: 'u1' }, { type: 'a', queue: 'q2' }, { type: 'b', delayMs: 3_600_000 }],
    })
    const stats = async (qs = '') => statsResponseSchema.parse((await call('GET', `/api/jobs/stats${qs}`)).body).stats
    expect(await stats()).toMatchObject({ pending: 3, scheduled: 1, running: 0, completed: 0, failed: 0, cancelled: 0, total: 3 })
    expect((await stats('?queue=q2')).total).toBe(1)
    expect((await stats('?type=a')).total).toBe(2)
    expect((await stats('?owner=u1')).total).toBe(1)
  })

  it('gets one job with its attempt log; an unknown or malformed id is 404', async () => {
    const { call, conveyor } = await openApp()
    const { job } = (await call('POST', '/api/jobs', undefined, { type: 'a', maxAttempts: 2 })).body
    const [claimed] = await conveyor.jobs.claim({ workerId: 'w1', queues: null, types: null, limit: 1, leaseMs: 30_000 })
    await conveyor.jobs.fail('w1', [{ id: claimed!.id, error: { message: 'boom', name: 'Error' }, retryable: true }])
    const res = await call('GET', `/api/jobs/${job.id}`)
    expect(res.status).toBe(200)
    expect(jobResponseSchema.parse(res.body).job.attemptLog).toMatchObject([{ attempt: 1, workerId: 'w1', outcome: 'failed', error: { message: 'boom' } }])
    expect(res.body.job.lastError).toMatchObject({ message: 'boom' })

    for (const id of ['01a20000-0000-7000-8000-000000000000', 'not-a-uuid']) {
      const missing = await call('GET', `/api/jobs/${id}`)
      expect(missing.status).toBe(404)
      expect(missing.body.error.code).toBe('job_not_found')
    }
  })

  it('cancels a pending job, refuses to cancel a finished one (409), retries it, refuses to retry a pending one (409)', async () => {
    const { call } = await openApp()
    const { job } = (await call('POST', '/api/jobs', undefined, { type: 'a' })).body
    const retryPending = await call('POST', `/api/jobs/${job.id}/retry`)
    expect(retryPending.status).toBe(409)
    expect(retryPending.body.error).toMatchObject({ code: 'invalid_transition', details: { status: 'pending' } })

    const cancelled = await call('POST', `/api/jobs/${job.id}/cancel`)
    expect(cancelled.status).toBe(200)
    expect(cancelled.body.job.status).toBe('cancelled')
    expect((await call('POST', `/api/jobs/${job.id}/cancel`)).status).toBe(409)

    const retried = await call('POST', `/api/jobs/${job.id}/retry`)
    expect(retried.status).toBe(200)
    expect(retried.body.job).toMatchObject({ status: 'pending', attempts: 0 })
  })

  it('deletes one job (not while running), and purges completed jobs by default', async () => {
    const { call, conveyor } = await openApp()
    const a = (await call('POST', '/api/jobs', undefined, { type: 'a' })).body.job
    expect(await call('DELETE', `/api/jobs/${a.id}`)).toMatchObject({ status: 200, body: { deleted: a.id } })
    expect((await call('GET', `/api/jobs/${a.id}`)).status).toBe(404)
    expect((await call('DELETE', `/api/jobs/${a.id}`)).status).toBe(404)

    const b = (await call('POST', '/api/jobs', undefined, { type: 'b' })).body.job
    await conveyor.jobs.claim({ workerId: 'w', queues: null, types: null, limit: 1, leaseMs: 30_000 })
    const running = await call('DELETE', `/api/jobs/${b.id}`)
    expect(running.status).toBe(409)
    await conveyor.jobs.complete('w', [{ id: b.id, result: { ok: true } }])
    await call('POST', '/api/jobs/batch', undefined, { jobs: [{ type: 'c' }] })

    expect((await call('DELETE', '/api/jobs')).body).toEqual({ success: true, purged: 1 })
    expect((await call('GET', '/api/jobs/stats')).body.stats).toMatchObject({ pending: 1, completed: 0, total: 1 })
    expect((await call('DELETE', '/api/jobs?status=pending&olderThan=2000-01-01')).body).toEqual({ success: true, purged: 0 })
    expect((await call('DELETE', '/api/jobs?status=pending')).body).toEqual({ success: true, purged: 1 })
  })

  it('applies bulk actions by ids and by filter', async () => {
    const { call } = await openApp()
    const { jobs } = (await call('POST', '/api/jobs/batch', undefined, { jobs: [{ type: 'a' }, { type: 'a' }, { type: 'b' }] })).body
    expect((await call('POST', '/api/jobs/bulk', undefined, { action: 'cancel', ids: [jobs[0].id] })).body).toEqual({ affected: 1 })
    expect((await call('POST', '/api/jobs/bulk', undefined, { action: 'cancel', filter: { type: 'a' } })).body).toEqual({ affected: 1 })
    expect((await call('POST', '/api/jobs/bulk', undefined, { action: 'retry', filter: { status: 'cancelled' } })).body).toEqual({ affected: 2 })
    expect((await call('POST', '/api/jobs/bulk', undefined, { action: 'delete', filter: {} })).body).toEqual({ affected: 3 })
    expect((await call('GET', '/api/jobs/stats')).body.stats.total).toBe(0)
  })
})
