import { describe, expect, it } from 'vitest'
import { createClient, HttpWorker, type HttpWorkerOptions, isConveyorHttpError, PermanentError } from '../src/index.ts'
import { deferred, expireLease, startTestServer, stopAfter, untilOpenStreams, untilWaitingClaims } from './helpers.ts'

/** The reason a handler's signal fired. */
const reasonOf = (signal: AbortSignal) =>
  new Promise<Error>((resolve) => signal.addEventListener('abort', () => resolve(signal.reason as Error), { once: true }))

async function setup(options: HttpWorkerOptions = {}) {
  const t = await startTestServer({ events: { coalesceMs: 0 } })
  const workerClient = await t.clientFor('worker')
  const start = (handlers: ConstructorParameters<typeof HttpWorker>[1], more: HttpWorkerOptions = {}) =>
    stopAfter(new HttpWorker(workerClient, handlers, { waitMs: 5000, ...options, ...more }))
  return { ...t, start }
}

describe('HttpWorker', () => {
  it('runs jobs end to end: claims, reports progress, completes with the handler’s result', async () => {
    const { admin, start } = await setup()
    const { jobs } = await admin.enqueueBatch([1, 2, 3, 4, 5].map((n) => ({ type: 'scan', payload: { n } })))
    const worker = start(
      {
        scan: async (job, ctx) => {
          await ctx.progress(50, 'halfway')
          return { doubled: (job.payload as { n: number }).n * 2, attempt: ctx.attempt, by: ctx.workerId }
        },
      },
      { concurrency: 2, id: 'http-test-worker' },
    )
    await worker.ready()
    const done = await Promise.all(jobs.map((j) => admin.waitForJob(j.id)))
    expect(done.map((j) => j.result)).toEqual([2, 4, 6, 8, 10].map((doubled) => ({ doubled, attempt: 1, by: 'http-test-worker' })))
    expect(done.every((j) => j.status === 'completed' && j.progress === 100 && j.attemptLog?.[0]?.workerId === 'http-test-worker')).toBe(true)
    expect((await admin.listWorkers()).workers.map((w) => w.id)).toContain('http-test-worker')
  })

  it('awaited progress is written while the handler runs', async () => {
    const { admin, start } = await setup()
    const { job } = await admin.enqueue({ type: 'scan' })
    const release = deferred()
    const written = deferred<number>()
    start({
      scan: async (_job, ctx) => {
        await ctx.progress(30, 'a third')
        written.resolve((await admin.getJob(_job.id)).job.progress)
        await release.promise
      },
    })
    expect(await written.promise).toBe(30)
    release.resolve()
    expect(await admin.waitForJob(job.id)).toMatchObject({ status: 'completed', progress: 100, result: null })
  })

  it('retries a failed attempt, and fails the job at once on a PermanentError', async () => {
    const { admin, start } = await setup()
    const { job: flaky } = await admin.enqueue({ type: 'flaky', maxAttempts: 3, backoff: { type: 'fixed', delayMs: 0 } })
    const { job: doomed } = await admin.enqueue({ type: 'doomed', maxAttempts: 3 })
    start({
      flaky: (_job, ctx) => {
        if (ctx.attempt === 1) throw new Error('network hiccup')
        return 'second time lucky'
      },
      doomed: () => {
        throw new PermanentError('payload.url is required')
      },
    })
    expect(await admin.waitForJob(flaky.id)).toMatchObject({ status: 'completed', attempts: 2, result: 'second time lucky' })
    const failed = await admin.waitForJob(doomed.id)
    expect(failed).toMatchObject({ status: 'failed', attempts: 1, lastError: { name: 'PermanentError', message: 'payload.url is required' } })
  })

  it('fires the handler’s signal when the job is cancelled, and the job ends cancelled', async () => {
    const { admin, start } = await setup({ leaseMs: 300 })
    const { job } = await admin.enqueue({ type: 'scan' })
    const reason = deferred<Error>()
    const started = deferred()
    start({
      scan: async (_job, ctx) => {
        started.resolve()
        reason.resolve(await reasonOf(ctx.signal))
      },
    })
    await started.promise
    await admin.cancel(job.id)
    expect((await reason.promise).name).toBe('CancelledError')
    expect(await admin.waitForJob(job.id)).toMatchObject({ status: 'cancelled' })
  })

  it(
    'hears a cancel on the cancel stream, long before its next heartbeat (leaseMs 60 s: one every 20 s), and holds no stream after stop()',
    async () => {
      const { admin, start } = await setup({ leaseMs: 60_000 })
      const { job } = await admin.enqueue({ type: 'scan' })
      const reason = deferred<Error>()
      const started = deferred()
      const worker = start({
        scan: async (_job, ctx) => {
          started.resolve()
          reason.resolve(await reasonOf(ctx.signal))
        },
      })
      await started.promise
      await untilOpenStreams(admin, 1) // the worker's cancel stream
      await admin.cancel(job.id)
      expect((await reason.promise).name).toBe('CancelledError')
      expect(await admin.waitForJob(job.id)).toMatchObject({ status: 'cancelled' })
      await worker.stop()
      await untilOpenStreams(admin, 0)
    },
    10_000,
  )

  it('works on without the cancel stream against a server that has none (404), hearing cancels at heartbeats', async () => {
    const { url, admin } = await setup()
    const { key } = await admin.createKey({ name: 'old server worker', role: 'worker' })
    const refused = deferred<unknown>()
    const older = createClient({
      baseUrl: url,
      key,
      // As a server older than GET /api/workers/cancels answers it.
      fetch: (input, init) =>
        String(input).endsWith('/api/workers/cancels')
          ? Promise.resolve(Response.json({ error: { code: 'not_found', message: 'Route GET:/api/workers/cancels not found' } }, { status: 404 }))
          : fetch(input, init),
    })
    const { job } = await admin.enqueue({ type: 'scan' })
    const reason = deferred<Error>()
    const started = deferred()
    const logger = { info() {}, error() {}, warn: (obj: object, msg?: string) => msg?.includes('cancel stream') && refused.resolve(obj) }
    stopAfter(
      new HttpWorker(
        older,
        {
          scan: async (_job, ctx) => {
            started.resolve()
            reason.resolve(await reasonOf(ctx.signal))
          },
        },
        { leaseMs: 300, waitMs: 5000, logger },
      ),
    )
    expect(await refused.promise).toMatchObject({ err: expect.objectContaining({ message: expect.stringContaining('404') }) })
    await started.promise
    await admin.cancel(job.id)
    expect((await reason.promise).name).toBe('CancelledError')
    expect(await admin.waitForJob(job.id)).toMatchObject({ status: 'cancelled' })
  })

  it('stops a job whose lease was lost and discards its outcome; the job’s next attempt runs normally', async () => {
    const { admin, conveyor, start } = await setup({ leaseMs: 300 })
    const { job } = await admin.enqueue({ type: 'scan', backoff: { type: 'fixed', delayMs: 0 } })
    const firstReason = deferred<Error>()
    const started = deferred()
    start({
      scan: async (_job, ctx) => {
        if (ctx.attempt > 1) return 'fresh'
        started.resolve()
        firstReason.resolve(await reasonOf(ctx.signal))
        return 'stale'
      },
    })
    await started.promise
    // As if this worker had stopped heartbeating long ago: the reaper hands the job on.
    await expireLease(conveyor, job.id)
    expect(await conveyor.reaper.runOnce()).toBe(1)
    expect((await firstReason.promise).name).toBe('LeaseLostError')
    const done = await admin.waitForJob(job.id)
    expect(done).toMatchObject({ status: 'completed', attempts: 2, result: 'fresh' })
    expect(done.attemptLog?.map((a) => a.outcome)).toEqual(['lease_expired', 'completed'])
  })

  it('fails an attempt that runs past the job’s timeoutMs', async () => {
    const { admin, start } = await setup()
    const { job } = await admin.enqueue({ type: 'slow', timeoutMs: 100, maxAttempts: 1 })
    const reason = deferred<Error>()
    start({ slow: async (_job, ctx) => reason.resolve(await reasonOf(ctx.signal)) })
    expect((await reason.promise).name).toBe('TimeoutError')
    const done = await admin.waitForJob(job.id)
    expect(done).toMatchObject({ status: 'failed', lastError: { name: 'TimeoutError' } })
    expect(done.attemptLog?.map((a) => a.outcome)).toEqual(['timeout']) // as the in-process worker logs it
  })

  it('stops gracefully: lets a running handler finish, and stops a long-poll at once', async () => {
    const { admin, start } = await setup()
    const { job } = await admin.enqueue({ type: 'scan' })
    const release = deferred()
    const started = deferred()
    // waitMs 60 s: were stop() to wait for the open long-poll, this test would run past its timeout.
    const worker = start(
      {
        scan: async () => {
          started.resolve()
          await release.promise
          return 'finished during stop'
        },
      },
      { waitMs: 60_000, concurrency: 2 },
    )
    await started.promise
    const stopped = worker.stop()
    release.resolve()
    await stopped
    expect(worker.runningCount).toBe(0)
    expect((await admin.getJob(job.id)).job).toMatchObject({ status: 'completed', result: 'finished during stop' })
  })

  it('stop() has the server end its waiting long-poll and reads the answer, instead of hanging up on it', async () => {
    const t = await startTestServer({ events: { coalesceMs: 0 } })
    const { key } = await t.admin.createKey({ name: 'w', role: 'worker' })
    const seen = { ends: 0, claimsAnswered: 0, claimsHungUp: 0 }
    const client = createClient({
      baseUrl: t.url,
      key,
      fetch: (input, init) => {
        const path = new URL(String(input)).pathname
        if (path === '/api/workers/claim/end') seen.ends++
        const res = fetch(input, init)
        // A long-poll's answer (its headers) comes only when the claim ends: hung up on, the fetch rejects.
        if (path === '/api/workers/claim') res.then(() => seen.claimsAnswered++, () => seen.claimsHungUp++)
        return res
      },
    })
    const worker = stopAfter(new HttpWorker(client, { scan: async () => null }, { waitMs: 60_000 }))
    await untilWaitingClaims(t.admin, 1)
    await worker.stop()
    expect(seen).toEqual({ ends: 1, claimsAnswered: 1, claimsHungUp: 0 })
    await untilWaitingClaims(t.admin, 0)
  })

  it('the claim-end route ends only that worker’s waiting claims, at once and with no jobs', async () => {
    const t = await startTestServer({ events: { coalesceMs: 0 } })
    const worker = await t.clientFor('worker')
    const first = worker.claim({ workerId: 'w1', waitMs: 60_000 })
    const second = worker.claim({ workerId: 'w2', waitMs: 60_000 })
    await untilWaitingClaims(t.admin, 2)
    expect(await worker.endClaimWait('w1')).toEqual({ ended: 1 })
    expect(await first).toEqual({ jobs: [] })
    const { job } = await t.admin.enqueue({ type: 'scan' })
    expect((await second).jobs.map((j) => j.id)).toEqual([job.id])
    expect(await worker.endClaimWait('nobody')).toEqual({ ended: 0 })
  })

  it('aborts handlers still running when the grace period ends and hands their jobs back, the attempt not counted', async () => {
    const { admin, start } = await setup()
    // One attempt only: counted as a failure, stopping the worker would fail the job for good.
    const { job } = await admin.enqueue({ type: 'scan', maxAttempts: 1 })
    const started = deferred()
    const reason = deferred<Error>()
    const worker = start({
      scan: async (_job, ctx) => {
        started.resolve()
        reason.resolve(await reasonOf(ctx.signal))
      },
    })
    await started.promise
    await worker.stop({ gracefulStopMs: 0 })
    expect((await reason.promise).name).toBe('ShutdownError')
    const { job: after } = await admin.getJob(job.id)
    expect(after).toMatchObject({ status: 'pending', attempts: 0, lockedBy: null })
    expect(after.attemptLog?.map((a) => a.outcome)).toEqual(['released'])
  })

  it('claims with a concurrency above what one claim may take (100), filling its slots over several claims', async () => {
    const { admin, start } = await setup()
    const { jobs } = await admin.enqueueBatch(Array.from({ length: 150 }, () => ({ type: 'hold' })))
    const all = deferred()
    let running = 0
    const release = deferred()
    start({ hold: async () => (++running === 150 && all.resolve(), await release.promise) }, { concurrency: 150 })
    await all.promise // 150 handlers at once: more than one claim's 100
    release.resolve()
    const done = await Promise.all(jobs.map((j) => admin.waitForJob(j.id)))
    expect(done.every((j) => j.status === 'completed')).toBe(true)
  })

  it('fails for good, at once, a job whose result the server refuses (over its body limit)', async () => {
    const { admin, start } = await setup()
    const { job } = await admin.enqueue({ type: 'big', maxAttempts: 3 })
    start({ big: () => 'x'.repeat(2 * 1024 * 1024) }, { leaseMs: 60_000 })
    const done = await admin.waitForJob(job.id)
    expect(done).toMatchObject({ status: 'failed', attempts: 1, lastError: { name: 'PermanentError' } })
    expect(done.lastError?.message).toMatch(/refused the handler's result \(413\)/)
  })

  it('rejects ready() and stops when the server refuses its key', async () => {
    const { url } = await startTestServer()
    const worker = stopAfter(new HttpWorker(createClient({ baseUrl: url, key: 'cv_not_a_key' }), { scan: () => null }))
    const err = await worker.ready().catch((e: unknown) => e)
    expect(isConveyorHttpError(err) && err.status).toBe(401)
    expect(worker.stopping).toBe(true)
  })
})
