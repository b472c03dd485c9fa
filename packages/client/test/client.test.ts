import { ROUTES, type RouteId } from '@conveyor/contracts'
import { describe, expect, it } from 'vitest'
import { ConveyorHttpError, createClient, isConveyorHttpError, ROUTE_METHODS } from '../src/index.ts'
import { startTestServer } from './helpers.ts'

/** The error a call rejects with. */
async function rejection(p: Promise<unknown>): Promise<ConveyorHttpError> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  )
  expect(err).toBeInstanceOf(ConveyorHttpError)
  return err as ConveyorHttpError
}

describe('createClient', () => {
  it('has a method for every route of the contracts', () => {
    const client = createClient({ baseUrl: 'http://127.0.0.1:1' })
    for (const route of Object.keys(ROUTES) as RouteId[]) {
      const method = ROUTE_METHODS[route]
      expect(typeof client[method], `${route} → ${method}`).toBe('function')
    }
  })

  it('round-trips the jobs routes: enqueue (and duplicates), batch, list, stats, get, cancel, retry, remove, purge, bulk', async () => {
    const { admin } = await startTestServer()
    const first = await admin.enqueue({ type: 'scan', payload: { url: 'https://a' }, idempotencyKey: 'k1', owner: 'u1', metadata: { project: 'p1' } })
    expect(first.job).toMatchObject({ type: 'scan', status: 'pending', payload: { url: 'https://a' }, owner: 'u1' })
    expect(first.duplicate).toBeUndefined()
    const again = await admin.enqueue({ type: 'scan', idempotencyKey: 'k1', owner: 'u1' })
    expect(again).toMatchObject({ duplicate: true, job: { id: first.job.id } })

    const { jobs: batch } = await admin.enqueueBatch([{ type: 'export', queue: 'slow' }, { type: 'export', priority: 5 }])
    expect(batch.map((j) => j.queue)).toEqual(['slow', 'default'])

    const all = await admin.listJobs()
    expect(all).toMatchObject({ count: 3, nextCursor: null })
    expect((await admin.listJobs({ status: ['pending'], type: 'export', sort: 'oldest' })).jobs.map((j) => j.id)).toEqual(batch.map((j) => j.id))
    expect((await admin.listJobs({ metadata: { project: 'p1' } })).jobs.map((j) => j.id)).toEqual([first.job.id])
    expect((await admin.listJobs({ createdAfter: new Date(Date.now() + 3_600_000) })).count).toBe(0)
    const page = await admin.listJobs({ limit: 2, sort: 'oldest' })
    expect(page.jobs).toHaveLength(2)
    expect((await admin.listJobs({ limit: 2, sort: 'oldest', cursor: page.nextCursor! })).jobs.map((j) => j.id)).toEqual([batch[1]!.id])

    expect((await admin.stats()).stats).toMatchObject({ pending: 3, total: 3 })
    expect((await admin.stats({ queue: 'slow' })).stats.total).toBe(1)

    const got = await admin.getJob(first.job.id)
    expect(got.job).toMatchObject({ id: first.job.id, attemptLog: [] })

    expect((await admin.cancel(first.job.id)).job.status).toBe('cancelled')
    expect((await admin.retry(first.job.id)).job).toMatchObject({ status: 'pending', attempts: 0 })
    expect(await admin.remove(batch[0]!.id)).toEqual({ success: true, deleted: batch[0]!.id })

    expect(await admin.bulk({ action: 'cancel', filter: { type: 'export' } })).toEqual({ affected: 1 })
    expect(await admin.purge({ status: ['cancelled'] })).toEqual({ success: true, purged: 1 })
    expect((await admin.listJobs()).jobs.map((j) => j.id)).toEqual([first.job.id])
  })

  it('round-trips the worker routes: claim, heartbeat, progress, complete, fail, listWorkers', async () => {
    const { admin, clientFor } = await startTestServer()
    const worker = await clientFor('worker')
    const { job: a } = await admin.enqueue({ type: 'scan' })
    const { job: b } = await admin.enqueue({ type: 'scan', maxAttempts: 1 })

    const { jobs } = await worker.claim({ workerId: 'w1', types: ['scan'], limit: 2, leaseMs: 60_000 })
    expect(jobs.map((j) => j.id).sort()).toEqual([a.id, b.id].sort())
    expect(await worker.heartbeat(a.id, { workerId: 'w1', leaseMs: 60_000, attempt: 1 })).toEqual({ cancelRequested: false })
    expect((await worker.progress(a.id, { workerId: 'w1', progress: 40, message: 'halfway', attempt: 1 })).job).toMatchObject({
      progress: 40,
      progressMessage: 'halfway',
    })
    expect((await worker.listWorkers()).workers.map((w) => w.id)).toContain('w1')
    expect((await worker.complete(a.id, { workerId: 'w1', result: { alive: 3 }, attempt: 1 })).job).toMatchObject({
      status: 'completed',
      result: { alive: 3 },
    })
    expect((await worker.fail(b.id, { workerId: 'w1', error: { message: 'boom', name: 'Oops' }, attempt: 1 })).job).toMatchObject({
      status: 'failed',
      lastError: { message: 'boom', name: 'Oops' },
    })
  })

  it('round-trips queues, keys, tokens, health, readiness, metrics and the OpenAPI document', async () => {
    const { admin, url } = await startTestServer()
    await admin.enqueueBatch([{ type: 'a', queue: 'q1' }, { type: 'a', queue: 'q1' }])
    expect((await admin.listQueues()).queues).toEqual([expect.objectContaining({ name: 'q1', paused: false, pending: 2 })])
    expect(await admin.pauseQueue('q1')).toEqual({ queue: { name: 'q1', paused: true } })
    expect((await admin.listQueues()).queues[0]?.paused).toBe(true)
    expect(await admin.resumeQueue('q1')).toEqual({ queue: { name: 'q1', paused: false } })

    const created = await admin.createKey({ name: 'ci', role: 'producer' })
    expect(created).toMatchObject({ name: 'ci', role: 'producer' })
    expect((await admin.listKeys()).keys.map((k) => k.id)).toContain(created.id)
    const producer = createClient({ baseUrl: url, key: created.key })
    expect((await producer.stats()).stats.total).toBe(2)
    expect((await admin.revokeKey(created.id)).key).toMatchObject({ id: created.id, revokedAt: expect.any(String) })

    const { token, owner } = await admin.createToken({ owner: 'u9', ttlSeconds: 60 })
    expect(owner).toBe('u9')
    // A token given as a function is asked for before each request (so it can be refreshed).
    const user = createClient({ baseUrl: url, token: async () => token })
    const { job } = await user.enqueue({ type: 'a' })
    expect(job.owner).toBe('u9')
    expect((await user.listJobs()).jobs.map((j) => j.id)).toEqual([job.id])

    const anonymous = createClient({ baseUrl: `${url}/` })
    expect(await anonymous.health()).toEqual({ ok: true })
    expect(await anonymous.ready()).toEqual({ ok: true, database: 'ok' })
    expect(await anonymous.metrics()).toMatch(/^# HELP /m)
    expect((await anonymous.openapi()).paths).toHaveProperty(['/api/jobs/{id}'])
  })

  it('reaches any route by id through request()', async () => {
    const { admin } = await startTestServer()
    const { job } = await admin.request('enqueueJobAlias', { body: { type: 'scan' } })
    expect((await admin.request('getJob', { params: { id: job.id } })).job.id).toBe(job.id)
    expect((await admin.request('listJobs', { query: { status: 'pending' } })).count).toBe(1)
  })
})

describe('errors', () => {
  it('maps 404, 409 and 400 answers to ConveyorHttpError with status, code, message and details', async () => {
    const { admin } = await startTestServer()
    const missing = await rejection(admin.getJob('00000000-0000-4000-8000-000000000000'))
    expect(missing).toMatchObject({ status: 404, code: 'job_not_found', request: 'GET /api/jobs/:id' })
    expect(isConveyorHttpError(missing, 'job_not_found')).toBe(true)

    const { job } = await admin.enqueue({ type: 'scan' })
    await admin.cancel(job.id)
    const finished = await rejection(admin.cancel(job.id))
    expect(finished).toMatchObject({ status: 409, code: 'invalid_transition', details: expect.objectContaining({ status: 'cancelled' }) })

    const bad = await rejection(admin.enqueue({ type: '' }))
    expect(bad).toMatchObject({ status: 400, code: 'invalid_input' })
    expect(bad.details).toEqual(expect.arrayContaining([expect.objectContaining({ path: 'type' })]))
    expect((await admin.stats()).stats.total).toBe(1)

    const lost = await rejection(admin.complete(job.id, { workerId: 'nobody' }))
    expect(lost).toMatchObject({ status: 409, code: 'lease_lost' })
  })

  it('answers 401 for a missing or unknown key and 403 for a role that may not use the route', async () => {
    const { url, clientFor } = await startTestServer()
    expect(await rejection(createClient({ baseUrl: url }).listJobs())).toMatchObject({ status: 401, code: 'unauthorized' })
    expect(await rejection(createClient({ baseUrl: url, key: 'cv_nope' }).listJobs())).toMatchObject({ status: 401 })
    const worker = await clientFor('worker')
    expect(await rejection(worker.createKey({ name: 'x', role: 'admin' }))).toMatchObject({ status: 403, code: 'forbidden' })
  })

  it('turns an answer that is not the API’s (a proxy page) into code http_error', async () => {
    const { url, adminKey } = await startTestServer()
    const client = createClient({
      baseUrl: url,
      key: adminKey,
      // A reverse proxy in front of the server answering with its own page.
      fetch: async () => new Response('<html>Bad Gateway</html>', { status: 502, statusText: 'Bad Gateway', headers: { 'content-type': 'text/html' } }),
    })
    const err = await rejection(client.stats())
    expect(err).toMatchObject({ status: 502, code: 'http_error' })
    expect(err.message).toContain('Bad Gateway')
  })
})
