import { claimResponseSchema, jobResponseSchema } from '@conveyor/contracts'
import { describe, expect, it } from 'vitest'
import { admin, openApp, startTestServer } from './helpers.ts'

describe('workers over HTTP', () => {
  it('claims, heartbeats, reports progress and completes a job with its result', async () => {
    const { call, keyFor } = await openApp()
    const worker = await keyFor('worker')
    const { job } = (await call('POST', '/api/jobs', admin, { type: 'scan', payload: { url: 'u' } })).body

    const claim = await call('POST', '/api/workers/claim', worker, { workerId: 'py-1', types: ['scan'], leaseMs: 60_000 })
    expect(claim.status).toBe(200)
    const [claimed] = claimResponseSchema.parse(claim.body).jobs
    expect(claimed).toMatchObject({ id: job.id, status: 'running', attempts: 1, lockedBy: 'py-1', payload: { url: 'u' } })

    expect((await call('POST', `/api/jobs/${job.id}/heartbeat`, worker, { workerId: 'py-1', leaseMs: 60_000 })).body).toEqual({
      cancelRequested: false,
    })
    const progress = await call('POST', `/api/jobs/${job.id}/progress`, worker, { workerId: 'py-1', progress: 40, message: 'scanning' })
    expect(progress.body.job).toMatchObject({ progress: 40, progressMessage: 'scanning' })

    const done = await call('POST', `/api/jobs/${job.id}/complete`, worker, { workerId: 'py-1', result: { alive: 10, dead: 2 } })
    expect(done.status).toBe(200)
    expect(jobResponseSchema.parse(done.body).job).toMatchObject({ status: 'completed', progress: 100, result: { alive: 10, dead: 2 } })
    expect(done.body.job.attemptLog).toMatchObject([{ attempt: 1, workerId: 'py-1', outcome: 'completed' }])

    const workers = (await call('GET', '/api/workers', worker)).body.workers
    expect(workers.map((w: { id: string }) => w.id)).toContain('py-1')
  })

  it('fails an attempt: retried while attempts are left, failed at once when not retryable', async () => {
    const { call, keyFor } = await openApp()
    const worker = await keyFor('worker')
    const a = (await call('POST', '/api/jobs', admin, { type: 'a', maxAttempts: 3, backoff: { type: 'fixed', delayMs: 0 } })).body.job
    await call('POST', '/api/workers/claim', worker, { workerId: 'w' })
    const retried = await call('POST', `/api/jobs/${a.id}/fail`, worker, { workerId: 'w', error: { message: 'flaky', name: 'NetError' } })
    expect(retried.body.job).toMatchObject({ status: 'pending', attempts: 1, lastError: { message: 'flaky', name: 'NetError' } })

    await call('POST', '/api/workers/claim', worker, { workerId: 'w' })
    const failed = await call('POST', `/api/jobs/${a.id}/fail`, worker, { workerId: 'w', error: { message: 'bad input' }, retryable: false })
    expect(failed.body.job).toMatchObject({ status: 'failed', attempts: 2 })
  })

  it('refuses a worker whose lease expired (409 lease_lost), and any worker that does not hold the job', async () => {
    const { call, keyFor, conveyor } = await openApp()
    const worker = await keyFor('worker')
    const { job } = (await call('POST', '/api/jobs', admin, { type: 'a', backoff: { type: 'fixed', delayMs: 0 } })).body
    await call('POST', '/api/workers/claim', worker, { workerId: 'slow', leaseMs: 1 })

    const stranger = await call('POST', `/api/jobs/${job.id}/complete`, worker, { workerId: 'someone-else' })
    expect(stranger.status).toBe(409)
    expect(stranger.body.error.code).toBe('lease_lost')

    // The 1 ms lease has run out by the reaper's next pass (each pass is a database round trip).
    while ((await conveyor.reaper.runOnce()) === 0);
    const taken = await call('POST', '/api/workers/claim', worker, { workerId: 'fast' })
    expect(taken.body.jobs[0]).toMatchObject({ id: job.id, attempts: 2, lockedBy: 'fast' })

    for (const [action, body] of [
      ['heartbeat', {}],
      ['progress', { progress: 50 }],
      ['complete', { result: 'late' }],
      ['fail', { error: { message: 'late' } }],
      ['release', {}],
    ] as const) {
      const res = await call('POST', `/api/jobs/${job.id}/${action}`, worker, { workerId: 'slow', ...body })
      expect(res.status, action).toBe(409)
      expect(res.body.error).toMatchObject({ code: 'lease_lost', details: { status: 'running' } })
    }
    // Same worker id, earlier attempt: fenced by the attempt number.
    const stale = await call('POST', `/api/jobs/${job.id}/complete`, worker, { workerId: 'fast', attempt: 1 })
    expect(stale.status).toBe(409)
    expect((await call('POST', `/api/jobs/${job.id}/release`, worker, { workerId: 'fast', attempt: 1 })).status).toBe(409)
    const fresh = await call('POST', `/api/jobs/${job.id}/complete`, worker, { workerId: 'fast', attempt: 2, result: 1 })
    expect(fresh.body.job).toMatchObject({ status: 'completed', result: 1 })
    expect((await call('POST', `/api/jobs/${job.id}/complete`, worker, { workerId: 'fast' })).status).toBe(409)
  })

  it('releases a claimed job unrun: pending at once, the attempt not counted; a timed-out attempt is logged as one', async () => {
    const { call, keyFor } = await openApp()
    const worker = await keyFor('worker')
    const { job } = (await call('POST', '/api/jobs', admin, { type: 'a', maxAttempts: 1 })).body
    await call('POST', '/api/workers/claim', worker, { workerId: 'w' })
    const released = await call('POST', `/api/jobs/${job.id}/release`, worker, { workerId: 'w', attempt: 1 })
    expect(released.status).toBe(200)
    expect(released.body.job).toMatchObject({ status: 'pending', attempts: 0, lockedBy: null })
    expect(released.body.job.attemptLog.map((a: { outcome: string }) => a.outcome)).toEqual(['released'])
    // Claimed again, it times out: the attempt log says so, as for the in-process worker.
    await call('POST', '/api/workers/claim', worker, { workerId: 'w' })
    const failed = await call('POST', `/api/jobs/${job.id}/fail`, worker, { workerId: 'w', error: { name: 'TimeoutError', message: 'ran past 5 ms' }, outcome: 'timeout' })
    expect(failed.body.job).toMatchObject({ status: 'failed', attempts: 1 })
    expect(failed.body.job.attemptLog.map((a: { outcome: string }) => a.outcome)).toEqual(['released', 'timeout'])
  })

  it('answers 404 for a job that does not exist', async () => {
    const { call, keyFor } = await openApp()
    const worker = await keyFor('worker')
    for (const id of ['01a20000-0000-7000-8000-000000000000', 'nope']) {
      const res = await call('POST', `/api/jobs/${id}/heartbeat`, worker, { workerId: 'w' })
      expect(res.status).toBe(404)
      expect(res.body.error.code).toBe('job_not_found')
    }
  })

  it('tells a heartbeating worker that its job was cancelled', async () => {
    const { call, keyFor } = await openApp()
    const worker = await keyFor('worker')
    const { job } = (await call('POST', '/api/jobs', admin, { type: 'a' })).body
    await call('POST', '/api/workers/claim', worker, { workerId: 'w' })
    expect((await call('POST', `/api/jobs/${job.id}/cancel`)).body.job).toMatchObject({ status: 'running', cancelRequested: true })
    expect((await call('POST', `/api/jobs/${job.id}/heartbeat`, worker, { workerId: 'w' })).body).toEqual({ cancelRequested: true })
    const ended = await call('POST', `/api/jobs/${job.id}/fail`, worker, { workerId: 'w', error: { message: 'cancelled', name: 'CancelledError' } })
    expect(ended.body.job.status).toBe('cancelled')
  })

  it('long-polls: a waiting claim gets a job enqueued while it waits', async () => {
    const { call, keyFor } = await openApp({ claimPollMs: 60_000 })
    const worker = await keyFor('worker')
    const waiting = call('POST', '/api/workers/claim', worker, { workerId: 'w', queues: ['mail'], waitMs: 30_000 })
    // Until the claim found nothing and waits: one request per check, yielding to I/O in between
    // (injected requests alone would starve the claim's own request of the event loop).
    while (!/^conveyor_claims_waiting 1$/m.test((await call('GET', '/metrics')).body)) await new Promise(setImmediate)
    // Another queue's job does not satisfy it; the mail job does (woken by its event, not the 60 s poll).
    await call('POST', '/api/jobs', admin, { type: 'a', queue: 'other' })
    const { job } = (await call('POST', '/api/jobs', admin, { type: 'send', queue: 'mail' })).body
    const res = await waiting
    expect(res.status).toBe(200)
    expect(res.body.jobs.map((j: { id: string }) => j.id)).toEqual([job.id])
  })

  it('stops a long-poll whose caller hung up: a job enqueued afterwards stays pending', async () => {
    const { server, call, keyFor } = await startTestServer({ claimPollMs: 60_000 })
    const worker = await keyFor('worker')
    const waitingClaims = async () => Number(/^conveyor_claims_waiting (\d+)$/m.exec((await call('GET', '/metrics')).body)?.[1])
    const controller = new AbortController()
    const claim = fetch(`${server.url}/api/workers/claim`, {
      method: 'POST',
      headers: { ...worker, 'content-type': 'application/json' },
      body: JSON.stringify({ workerId: 'gone', waitMs: 30_000 }),
      signal: controller.signal,
    }).catch((err: Error) => err.name)
    while ((await waitingClaims()) !== 1) await new Promise(setImmediate)
    controller.abort()
    expect(await claim).toBe('AbortError')
    while ((await waitingClaims()) !== 0) await new Promise(setImmediate)
    const { job } = (await call('POST', '/api/jobs', admin, { type: 'a' })).body
    expect((await call('GET', `/api/jobs/${job.id}`)).body.job).toMatchObject({ status: 'pending', attempts: 0, lockedBy: null })
  })

  it('ends waiting claims with no jobs when the server closes', async () => {
    const { server, keyFor } = await startTestServer({ claimPollMs: 60_000 })
    const worker = await keyFor('worker')
    const claim = fetch(`${server.url}/api/workers/claim`, {
      method: 'POST',
      headers: { ...worker, 'content-type': 'application/json' },
      body: JSON.stringify({ workerId: 'w', waitMs: 60_000 }),
    })
    while (!/^conveyor_claims_waiting 1$/m.test(await (await fetch(`${server.url}/metrics`)).text()));
    await server.close()
    const res = await claim
    expect(res.status).toBe(200)
    expect(await res.json()).toEqual({ jobs: [] })
  })

  it('does not claim from a paused queue until it is resumed', async () => {
    const { call, keyFor } = await openApp()
    const worker = await keyFor('worker')
    await call('POST', '/api/jobs', admin, { type: 'a', queue: 'q' })
    expect((await call('POST', '/api/queues/q/pause')).body).toEqual({ queue: { name: 'q', paused: true } })
    expect((await call('POST', '/api/workers/claim', worker, { workerId: 'w', queues: ['q'] })).body.jobs).toEqual([])
    const queues = (await call('GET', '/api/queues')).body.queues
    expect(queues).toMatchObject([{ name: 'q', paused: true, pending: 1, running: 0 }])
    await call('POST', '/api/queues/q/resume')
    expect((await call('POST', '/api/workers/claim', worker, { workerId: 'w', queues: ['q'] })).body.jobs).toHaveLength(1)
  })
})
