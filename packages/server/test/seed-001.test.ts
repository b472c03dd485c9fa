import { jobSchema, listResponseSchema, statsResponseSchema } from '@conveyor/contracts'
import { describe, expect, it } from 'vitest'
import { ADMIN_KEY, startTestServer } from './helpers.ts'

/**
 * Replays every curl call of seed 001's "Worker Queue API" document (seeds/001_*.txt) against a real
 * listening server, with a key (`-H "Authorization: Bearer …"`, the only change to the calls), and
 * checks each answer against the shapes the document shows.
 */
describe("seed 001's curl calls", () => {
  it('enqueue with prompt and branch, list by each status (claimed too), paginate, stats, get, retry, delete, purge', async () => {
    const { server, conveyor } = await startTestServer()
    const API = `${server.url}/api/jobs`
    const auth = { authorization: `Bearer ${ADMIN_KEY}` }
    const curl = async (method: string, url: string, body?: unknown) => {
      const res = await fetch(url, {
        method,
        headers: { ...auth, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      })
      return { status: res.status, body: (await res.json()) as any }
    }

    // POST /api/jobs/enqueue, the document's body: { prompt, branch }.
    const enq = await curl('POST', `${API}/enqueue`, { prompt: 'Add a dark mode toggle to the navbar.', branch: 'feat/dark-mode' })
    expect(enq.status).toBe(201)
    expect(enq.body).toMatchObject({ success: true, job: { id: expect.any(String), status: 'pending', createdAt: expect.any(String) } })
    expect(enq.body.job).toHaveProperty('name')
    expect(enq.body.job.payload).toEqual({ prompt: 'Add a dark mode toggle to the navbar.', branch: 'feat/dark-mode' })
    // Every documented field of the body: name is the job's (and the payload's), idempotencyKey dedupes.
    const named = await curl('POST', `${API}/enqueue`, {
      prompt: 'Extract the login form component',
      name: 'extract-the-login-form-component',
      originUrl: 'https://github.com/acme/web',
      idempotencyKey: 'enqueue-abc123',
    })
    expect(named.status).toBe(201)
    expect(named.body.job).toMatchObject({
      name: 'extract-the-login-form-component',
      idempotencyKey: 'enqueue-abc123',
      payload: { prompt: 'Extract the login form component', originUrl: 'https://github.com/acme/web', name: 'extract-the-login-form-component' },
    })
    const again = await curl('POST', `${API}/enqueue`, { prompt: 'Extract the login form component', idempotencyKey: 'enqueue-abc123' })
    expect(again.status).toBe(200)
    expect(again.body).toMatchObject({ success: true, duplicate: true, job: { id: named.body.job.id } })
    // Enough jobs for the document's page (limit=10&offset=20), then one claimed, one completed, one failed.
    for (let i = 0; i < 23; i++) expect((await curl('POST', `${API}/enqueue`, { prompt: `filler ${i}` })).status).toBe(201)
    const worker = { workerId: 'worker-12345-1708099200000' }
    const claim = async () => (await curl('POST', `${server.url}/api/workers/claim`, worker)).body.jobs[0]
    const done = await claim()
    await curl('POST', `${API}/${done.id}/complete`, { ...worker, result: { ok: true } })
    const broken = await claim()
    await curl('POST', `${API}/${broken.id}/fail`, { ...worker, error: { message: 'claude exited 1' }, retryable: false })
    const active = await claim()

    // GET /api/jobs: all, and each status of the document.
    const all = await curl('GET', API)
    expect(all.status).toBe(200)
    listResponseSchema.parse(all.body)
    expect(all.body.count).toBe(25)
    for (const j of all.body.jobs) {
      for (const field of ['id', 'type', 'status', 'payload', 'priority', 'attempts', 'maxAttempts', 'lastError', 'lockedBy', 'lockedAt', 'createdAt', 'claimedAt', 'completedAt', 'idempotencyKey'])
        expect(j, field).toHaveProperty(field)
    }
    const byStatus = async (status: string) => {
      const res = await curl('GET', `${API}?status=${status}`)
      expect(res.status, status).toBe(200)
      return res.body.jobs as any[]
    }
    const claimed = await byStatus('claimed')
    expect(claimed.map((j) => j.id)).toEqual([active.id])
    expect(claimed[0]).toMatchObject({ lockedBy: worker.workerId, lockedAt: expect.any(String), claimedAt: expect.any(String), attempts: 1 })
    expect(await byStatus('pending')).toHaveLength(22)
    expect((await byStatus('completed')).map((j) => j.id)).toEqual([done.id])
    const failed = await byStatus('failed')
    expect(failed.map((j) => j.id)).toEqual([broken.id])
    expect(failed[0].lastError).toMatchObject({ message: 'claude exited 1' })
    expect((await curl('GET', `${API}?status=completed&limit=20`)).body.jobs).toHaveLength(1)
    const page = await curl('GET', `${API}?limit=10&offset=20`)
    expect(page.body).toMatchObject({ count: 25 })
    expect(page.body.jobs).toHaveLength(5)

    // GET /api/jobs/stats
    const stats = await curl('GET', `${API}/stats`)
    expect(statsResponseSchema.parse(stats.body).stats).toMatchObject({ pending: 22, claimed: 1, completed: 1, failed: 1, total: 25 })

    // GET /api/jobs/:id, and 404 for a job that does not exist.
    const one = await curl('GET', `${API}/${active.id}`)
    expect(one.status).toBe(200)
    expect(jobSchema.parse(one.body.job)).toMatchObject({
      id: active.id,
      status: 'running',
      attempts: 1,
      lockedBy: worker.workerId,
      completedAt: null,
      lastError: null,
    })
    expect(one.body.job.claimedAt).toBe(one.body.job.startedAt)
    expect((await curl('GET', `${API}/550e8400-e29b-41d4-a716-446655440000`)).status).toBe(404)

    // POST /api/jobs/:id/retry: a failed or completed job back to pending, attempts 0.
    const retried = await curl('POST', `${API}/${broken.id}/retry`)
    expect(retried.body).toMatchObject({ success: true, job: { id: broken.id, status: 'pending', attempts: 0 } })
    expect((await curl('POST', `${API}/${done.id}/retry`)).body).toMatchObject({ success: true, job: { status: 'pending', attempts: 0 } })

    // DELETE /api/jobs/:id ("Remove" a pending job).
    expect(await curl('DELETE', `${API}/${enq.body.job.id}`)).toEqual({ status: 200, body: { success: true, deleted: enq.body.job.id } })
    expect((await curl('GET', `${API}/${enq.body.job.id}`)).status).toBe(404)

    // DELETE /api/jobs: purge the completed jobs.
    await curl('POST', `${API}/${active.id}/complete`, { ...worker })
    expect(await curl('DELETE', API)).toEqual({ status: 200, body: { success: true, purged: 1 } })
    expect((await curl('GET', `${API}/stats`)).body.stats).toMatchObject({ completed: 0, total: 23 })
    expect((await conveyor.getJob(active.id))).toBeNull()
  })
})
