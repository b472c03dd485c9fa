import { describe, expect, it } from 'vitest'
import { createClient, isConveyorHttpError, WaitTimeoutError } from '../src/index.ts'
import { deferred, failFinalRead, startTestServer } from './helpers.ts'

describe('waitForJob', () => {
  it('resolves with the finished job, result included, once a worker completes it', async () => {
    const { admin, conveyor } = await startTestServer()
    const release = deferred()
    const worker = conveyor.work({ scan: async () => (await release.promise, { alive: 10, dead: 2 }) })
    try {
      const { job } = await admin.enqueue({ type: 'scan' })
      const done = admin.waitForJob(job.id)
      release.resolve()
      expect(await done).toMatchObject({ id: job.id, status: 'completed', result: { alive: 10, dead: 2 } })
    } finally {
      await worker.stop()
    }
  })

  it('resolves at once for a job that has already ended, failed and cancelled included', async () => {
    const { admin, conveyor } = await startTestServer()
    const { job: cancelled } = await admin.enqueue({ type: 'scan' })
    await admin.cancel(cancelled.id)
    const { job: failed } = await admin.enqueue({ type: 'scan', maxAttempts: 1 })
    await conveyor.jobs.claim({ workerId: 'w', queues: ['default'], types: null, limit: 1, leaseMs: 30_000 })
    await conveyor.jobs.fail('w', [{ id: failed.id, attempt: 1, error: { message: 'no', name: 'Error' }, retryable: true }])
    expect(await admin.waitForJob(cancelled.id)).toMatchObject({ status: 'cancelled' })
    expect(await admin.waitForJob(failed.id)).toMatchObject({ status: 'failed', lastError: { message: 'no' } })
  })

  it('rejects with 404 for a job that does not exist, or that a user token may not see', async () => {
    const { admin, url } = await startTestServer()
    const missing = await admin.waitForJob('00000000-0000-4000-8000-000000000000').catch((e: unknown) => e)
    expect(isConveyorHttpError(missing, 'job_not_found')).toBe(true)

    const { job } = await admin.enqueue({ type: 'scan', owner: 'alice' })
    const { token } = await admin.createToken({ owner: 'bob' })
    const bob = createClient({ baseUrl: url, token })
    const hidden = await bob.waitForJob(job.id).catch((e: unknown) => e)
    expect(isConveyorHttpError(hidden, 'job_not_found')).toBe(true)
  })

  it('rejects with WaitTimeoutError after timeoutMs, and with the signal’s reason when aborted', async () => {
    const { admin } = await startTestServer()
    const { job } = await admin.enqueue({ type: 'scan' })
    const late = await admin.waitForJob(job.id, { timeoutMs: 50 }).catch((e: unknown) => e)
    expect(late).toBeInstanceOf(WaitTimeoutError)
    expect(late).toMatchObject({ code: 'wait_timeout', jobId: job.id })

    const controller = new AbortController()
    const waiting = admin.waitForJob(job.id, { signal: controller.signal })
    controller.abort(new Error('user left the page'))
    await expect(waiting).rejects.toThrow('user left the page')
  })

  it('still resolves when the event stream can’t be opened, by polling', async () => {
    const t = await startTestServer()
    const client = createClient({
      baseUrl: t.url,
      key: t.adminKey,
      fetch: (input, init) => (String(input).includes('/api/events') ? Promise.reject(new TypeError('fetch failed')) : fetch(input, init)),
    })
    const { job } = await client.enqueue({ type: 'scan' })
    const states: string[] = []
    const done = client.waitForJob(job.id, { subscription: { pollIntervalMs: 50, onStateChange: (s) => states.push(s) } })
    await client.cancel(job.id)
    expect(await done).toMatchObject({ status: 'cancelled' })
    expect(states).toContain('polling')
  })

  it('resolves when the read after the last event fails once (retried; the event is not sent twice)', async () => {
    const t = await startTestServer()
    // Polling: its read sees the job ended (the first read of it ended) and delivers the event; the
    // whole-job read that follows (the second) fails, and no later poll delivers that state again.
    const flaky = failFinalRead(t.url, t.adminKey, 2)
    const { job } = await flaky.client.enqueue({ type: 'scan' })
    const done = flaky.client.waitForJob(job.id, { subscription: { mode: 'poll', pollIntervalMs: 1000 } })
    await flaky.client.cancel(job.id)
    expect(await done).toMatchObject({ id: job.id, status: 'cancelled' })
    expect(flaky.failed()).toBe(1)
  })

  it('rejects with 404 when the job is deleted while it waits (no event says so: noticed at the next read)', async () => {
    const { admin } = await startTestServer()
    const { job } = await admin.enqueue({ type: 'scan' })
    const waiting = admin.waitForJob(job.id, { recheckMs: 100 }).catch((e: unknown) => e)
    await admin.remove(job.id)
    expect(isConveyorHttpError(await waiting, 'job_not_found')).toBe(true)
    await expect(admin.waitForJob(job.id, { recheckMs: 0 })).rejects.toThrow('recheckMs must be at least 100')
  })
})
