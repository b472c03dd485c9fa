import { describe, expect, it } from 'vitest'
import { PermanentError } from '../src/index.ts'
import { gate, nextEvent, openConveyor, waitForStatus } from './helpers.ts'

describe('worker', () => {
  it('runs a handler, stores its return value as the result, and logs the attempt', async () => {
    const c = await openConveyor()
    const job = await c.enqueue({ type: 'scan', payload: { n: 2 } })
    const worker = c.work({ scan: async (j) => ({ doubled: (j.payload as { n: number }).n * 2 }) })
    const done = await waitForStatus(c, job.id, ['completed'])
    await worker.stop()
    expect(done).toMatchObject({ status: 'completed', result: { doubled: 4 }, attempts: 1, progress: 100 })
    expect(done.attemptLog).toEqual([expect.objectContaining({ attempt: 1, outcome: 'completed', workerId: worker.id })])
    expect(done.completedAt).toBeInstanceOf(Date)
  })

  it('retries a failing handler until it succeeds, keeping each attempt', async () => {
    const c = await openConveyor()
    let calls = 0
    const job = await c.enqueue({ type: 'flaky', maxAttempts: 3, backoff: { type: 'fixed', delayMs: 0 } })
    const worker = c.work({
      flaky: async () => {
        if (++calls < 3) throw new Error(`boom ${calls}`)
        return 'ok'
      },
    })
    const done = await waitForStatus(c, job.id, ['completed', 'failed'])
    await worker.stop()
    expect(done.status).toBe('completed')
    expect(done.attempts).toBe(3)
    expect(done.attemptLog?.map((a) => a.outcome)).toEqual(['failed', 'failed', 'completed'])
    expect(done.attemptLog?.[1]?.error?.message).toBe('boom 2')
    expect(done.lastError?.message).toBe('boom 2')
  })

  it('fails the job once attempts run out, with the last error', async () => {
    const c = await openConveyor()
    const job = await c.enqueue({ type: 'bad', maxAttempts: 2, backoff: { type: 'fixed', delayMs: 0 } })
    const worker = c.work({ bad: async () => { throw new TypeError('always') } })
    const done = await waitForStatus(c, job.id, ['failed'])
    await worker.stop()
    expect(done).toMatchObject({ status: 'failed', attempts: 2, lastError: { name: 'TypeError', message: 'always' } })
    expect(done.lastError?.stack).toContain('TypeError: always')
  })

  it('a PermanentError fails the job without further attempts', async () => {
    const c = await openConveyor()
    const job = await c.enqueue({ type: 'p', maxAttempts: 5 })
    const worker = c.work({ p: async () => { throw new PermanentError('bad payload') } })
    const done = await waitForStatus(c, job.id, ['failed'])
    await worker.stop()
    expect(done).toMatchObject({ attempts: 1, lastError: { name: 'PermanentError', message: 'bad payload' } })
  })

  it('exponential backoff schedules the retry in the future with jitter', async () => {
    const c = await openConveyor()
    const job = await c.enqueue({ type: 'f', backoff: { type: 'exponential', delayMs: 60_000 } })
    const worker = c.work({ f: async () => { throw new Error('later') } })
    const { promise } = await nextEvent(c, (e) => e.id === job.id && e.status === 'pending')
    await promise
    await worker.stop()
    const after = (await c.getJob(job.id))!
    const delay = after.runAt.getTime() - after.updatedAt.getTime()
    // First retry: 60 s base with equal jitter → between 30 s and 60 s after the failure.
    expect(delay).toBeGreaterThanOrEqual(30_000 - 5)
    expect(delay).toBeLessThanOrEqual(60_000 + 5)
    expect((await c.stats()).scheduled).toBe(1)
  })

  it('timeoutMs aborts the handler and fails the attempt with a TimeoutError', async () => {
    const c = await openConveyor()
    const job = await c.enqueue({ type: 'slow', timeoutMs: 50, maxAttempts: 1 })
    let reason: unknown
    const worker = c.work({
      slow: (_j, ctx) =>
        new Promise((_, reject) => {
          ctx.signal.addEventListener('abort', () => {
            reason = ctx.signal.reason
            reject(ctx.signal.reason)
          })
        }),
    })
    const done = await waitForStatus(c, job.id, ['failed'])
    await worker.stop()
    expect((reason as Error).name).toBe('TimeoutError')
    expect(done.lastError).toMatchObject({ name: 'TimeoutError' })
    expect(done.attemptLog?.[0]?.outcome).toBe('timeout')
  })

  it('a handler that ignores its signal still has its timed-out attempt ended', async () => {
    const c = await openConveyor()
    const job = await c.enqueue({ type: 'stubborn', timeoutMs: 30, maxAttempts: 1 })
    const never = gate()
    const worker = c.work({ stubborn: () => never.promise })
    const done = await waitForStatus(c, job.id, ['failed'])
    never.open()
    await worker.stop()
    expect(done.lastError?.name).toBe('TimeoutError')
  })

  it('cancelling a running job fires its handler signal and ends it cancelled', async () => {
    const c = await openConveyor()
    const started = gate()
    let reason: unknown
    const worker = c.work({
      wait: (_j, ctx) =>
        new Promise((_, reject) => {
          started.open()
          ctx.signal.addEventListener('abort', () => {
            reason = ctx.signal.reason
            reject(ctx.signal.reason)
          })
        }),
    })
    const job = await c.enqueue({ type: 'wait', maxAttempts: 5 })
    await started.promise
    await c.cancel(job.id)
    const done = await waitForStatus(c, job.id, ['cancelled', 'failed', 'pending'])
    await worker.stop()
    expect((reason as Error).name).toBe('CancelledError')
    expect(done).toMatchObject({ status: 'cancelled', attempts: 1 })
  })

  it('coalesces progress: a tight loop of 5,000 updates makes a handful of writes', async () => {
    const c = await openConveyor()
    let progressEvents = 0
    const off = await c.subscribe((e) => {
      if (e.status === 'running' && e.progress > 0) progressEvents++
    })
    const job = await c.enqueue({ type: 'busy' })
    const worker = c.work({
      busy: async (_j, ctx) => {
        let last: Promise<void> = Promise.resolve()
        for (let i = 1; i <= 5000; i++) last = ctx.progress((i / 5000) * 99, `step ${i}`)
        await last
        const seen = (await c.getJob(job.id))!
        return { progress: seen.progress, message: seen.progressMessage }
      },
    })
    const done = await waitForStatus(c, job.id, ['completed'])
    await worker.stop()
    off()
    expect(done.result).toEqual({ progress: 99, message: 'step 5000' })
    expect(progressEvents).toBeGreaterThan(0)
    expect(progressEvents).toBeLessThan(20)
  })

  it('claims in priority order, then runAt, then enqueue order', async () => {
    const c = await openConveyor()
    const low = await c.enqueue({ type: 'o', priority: 0 })
    const high = await c.enqueue({ type: 'o', priority: 10 })
    const low2 = await c.enqueue({ type: 'o', priority: 0 })
    const order: string[] = []
    const last = await nextEvent(c, (e) => e.id === low2.id && e.status === 'completed')
    const worker = c.work({ o: async (j) => void order.push(j.id) }, { concurrency: 1 })
    await last.promise
    await worker.stop()
    expect(order).toEqual([high.id, low.id, low2.id])
  })

  it('claims only its own queues and the types it has handlers for', async () => {
    const c = await openConveyor()
    const other = await c.enqueue({ type: 'a', queue: 'other' })
    const unknown = await c.enqueue({ type: 'zzz' })
    const mine = await c.enqueue({ type: 'a' })
    const worker = c.work({ a: async () => 1 })
    await waitForStatus(c, mine.id, ['completed'])
    await worker.stop()
    expect((await c.getJob(other.id))?.status).toBe('pending')
    expect((await c.getJob(unknown.id))?.status).toBe('pending')
  })

  it('does not claim from a paused queue until it is resumed', async () => {
    const c = await openConveyor()
    await c.pauseQueue('default')
    const job = await c.enqueue({ type: 'a' })
    const worker = c.work({ a: async () => 1 })
    await worker.ready()
    expect((await c.getJob(job.id))?.status).toBe('pending')
    expect((await c.listQueues()).find((q) => q.name === 'default')).toMatchObject({ paused: true, pending: 1 })
    await c.resumeQueue('default')
    worker.nudge()
    await waitForStatus(c, job.id, ['completed'])
    await worker.stop()
  })

  it('graceful stop: short handlers finish, long ones are handed back, nothing is left running', async () => {
    const c = await openConveyor()
    const releaseShort = gate()
    const startedAll = gate()
    let started = 0
    const jobs = await c.enqueueMany([
      { type: 'short' },
      { type: 'short' },
      { type: 'long' },
      { type: 'long' },
    ])
    const worker = c.work(
      {
        short: async () => {
          if (++started === 4) startedAll.open()
          await releaseShort.promise
          return 'done'
        },
        long: (_j, ctx) =>
          new Promise((_, reject) => {
            if (++started === 4) startedAll.open()
            ctx.signal.addEventListener('abort', () => reject(ctx.signal.reason))
          }),
      },
      { gracefulStopMs: 200 },
    )
    await startedAll.promise
    const stopping = worker.stop()
    releaseShort.open()
    await stopping
    const after = await Promise.all(jobs.map((j) => c.getJob(j.id)))
    expect(after.map((j) => `${j!.type}:${j!.status}`).sort()).toEqual(['long:pending', 'long:pending', 'short:completed', 'short:completed'])
    for (const j of after.filter((j) => j!.type === 'long')) {
      expect(j).toMatchObject({ attempts: 0, lockedBy: null })
      expect(j!.attemptLog?.[0]?.outcome).toBe('released')
    }
    expect((await c.stats()).running).toBe(0)
  })

  it('a handler returning something that is not JSON fails the attempt instead of hanging', async () => {
    const c = await openConveyor()
    const job = await c.enqueue({ type: 'cyclic', maxAttempts: 1 })
    const worker = c.work({
      cyclic: async () => {
        const o: Record<string, unknown> = {}
        o.self = o
        return o
      },
    })
    const done = await waitForStatus(c, job.id, ['failed', 'completed'])
    await worker.stop()
    expect(done.status).toBe('failed')
    expect(done.lastError?.message).toMatch(/JSON|circular/i)
  })
})
