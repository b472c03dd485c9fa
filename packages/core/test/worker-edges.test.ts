import { setTimeout as sleep } from 'node:timers/promises'
import { describe, expect, it } from 'vitest'
import { CancelledError, type WorkerOptions } from '../src/index.ts'
import { gate, nextEvent, openConveyor, waitForStatus } from './helpers.ts'

/** Found by a bug hunt of handler and worker edge cases; each failed before its fix. */
describe('worker edge cases', () => {
  it('a handler throwing values that cannot be described still fails its job at once (not at lease end)', async () => {
    const c = await openConveyor()
    const circular: Record<string, unknown> = {}
    circular.self = circular
    const badMessage = new Error('x')
    Object.defineProperty(badMessage, 'message', { get: () => { throw new Error('getter') } })
    const badStack = new Error('stack is a number')
    ;(badStack as { stack: unknown }).stack = 123
    const thrown: Record<string, () => unknown> = {
      bigint: () => 10n,
      circular: () => circular,
      getter: () => ({ get boom() { throw new Error('boom') } }),
      badMessage: () => badMessage,
      badStack: () => badStack,
    }
    const handlers = Object.fromEntries(Object.entries(thrown).map(([type, value]) => [type, async () => { throw value() }]))
    const jobs = await c.enqueueMany(Object.keys(thrown).map((type) => ({ type, maxAttempts: 1 })))
    const worker = c.work(handlers, { leaseMs: 60_000 })
    const done = await Promise.all(jobs.map((j) => waitForStatus(c, j.id, ['failed', 'completed'])))
    await worker.stop()
    const messages = Object.fromEntries(done.map((j) => [j.type, j.lastError?.message]))
    expect(done.map((j) => j.status)).toEqual(jobs.map(() => 'failed'))
    expect(messages).toMatchObject({ bigint: '10', circular: '[object Object]', badStack: 'stack is a number' })
    expect(messages.badMessage).toMatch(/cannot be described/)
  })

  it('a result whose serialisation throws undefined fails the job; the worker and its other jobs go on', async () => {
    const c = await openConveyor()
    const [weird, ok] = await c.enqueueMany([{ type: 'weird', maxAttempts: 1 }, { type: 'ok' }])
    const worker = c.work({
      weird: () => ({
        get x() {
          throw undefined // eslint-disable-line no-throw-literal
        },
      }),
      ok: () => 'fine',
    })
    const [w, o] = await Promise.all([waitForStatus(c, weird!.id, ['failed', 'completed']), waitForStatus(c, ok!.id, ['failed', 'completed'])])
    await worker.stop()
    expect(w).toMatchObject({ status: 'failed', lastError: { name: 'PermanentError' } })
    expect(o).toMatchObject({ status: 'completed', result: 'fine' })
  })

  it('a result nested too deep for the completion batch fails alone; the jobs sharing its batch complete', async () => {
    const c = await openConveyor()
    const jobs = await c.enqueueMany([{ type: 'deep', maxAttempts: 1 }, ...Array.from({ length: 5 }, () => ({ type: 'plain' }))])
    // The deepest result JSON.stringify takes here, found from the handler's own stack: it passes on
    // its own but not two levels down, where the completion batch holds it. Whichever guard stops it
    // (the worker's check of the result, or the batch written job by job), the others must complete.
    const worker = c.work({ deep: () => nest(deepestStringifiable()), plain: () => 'ok' })
    const done = await Promise.all(jobs.map((j) => waitForStatus(c, j.id, ['failed', 'completed'])))
    await worker.stop()
    expect(done.map((j) => j.status)).toEqual(['failed', 'completed', 'completed', 'completed', 'completed', 'completed'])
    expect(done[0]!.lastError?.name).toBe('PermanentError')
  })

  it('graceful stop keeps renewing leases: a handler finishing within the grace period is not reaped', async () => {
    const c = await openConveyor()
    const job = await c.enqueue({ type: 'slow' })
    const started = gate()
    const finish = gate()
    const worker = c.work({ slow: async () => (started.open(), await finish.promise, 'done') }, { leaseMs: 300, gracefulStopMs: 30_000 })
    await started.promise
    const stopping = worker.stop()
    // Three leases' time: without heartbeats during the stop the lease has run out by now.
    await sleep(900)
    expect(await c.reaper.runOnce()).toBe(0)
    finish.open()
    await stopping
    const done = await c.getJob(job.id)
    expect(done).toMatchObject({ status: 'completed', attempts: 1, result: 'done' })
    expect(done!.attemptLog?.map((a) => a.outcome)).toEqual(['completed'])
  })

  it('a cancel asked during graceful stop reaches the handler, and a job handed back after it is cancelled, not re-run', async () => {
    const c = await openConveyor()
    const [heeds, ignores] = await c.enqueueMany([{ type: 'heeds', maxAttempts: 5 }, { type: 'ignores', maxAttempts: 5 }])
    let started = 0
    const bothStarted = gate()
    const onStart = () => ++started === 2 && bothStarted.open()
    const worker = c.work(
      {
        heeds: (_j, ctx) => new Promise((_, reject) => (onStart(), ctx.signal.addEventListener('abort', () => reject(ctx.signal.reason)))),
        // Resolves only when the stop aborts it (ShutdownError): a cancel alone does not end it.
        ignores: (_j, ctx) => new Promise((_, reject) => (onStart(), ctx.signal.addEventListener('abort', () => ctx.signal.reason.name === 'ShutdownError' && reject(ctx.signal.reason)))),
      },
      { gracefulStopMs: 1_000 },
    )
    await bothStarted.promise
    const stopping = worker.stop()
    await c.cancel(heeds!.id)
    const cancelled = await waitForStatus(c, heeds!.id, ['cancelled', 'pending', 'failed'])
    expect(cancelled.status).toBe('cancelled')
    // The worker's own cancel check is the event; a job whose cancel it missed is still released as cancelled.
    await c.db.query(`UPDATE "${c.schema}".jobs SET cancel_requested = true WHERE id = $1`, [ignores!.id])
    await stopping
    const released = await c.getJob(ignores!.id)
    expect(released).toMatchObject({ status: 'cancelled', lockedBy: null })
    expect(released!.completedAt).not.toBeNull()
    expect(released!.attemptLog?.map((a) => a.outcome)).toEqual(['cancelled'])
  })

  it('a job claimed again by the same worker: the earlier attempt is told it lost the job, and the new one is tracked', async () => {
    const c = await openConveyor()
    const job = await c.enqueue({ type: 'twice', maxAttempts: 3, backoff: { type: 'fixed', delayMs: 1 } })
    const reasons: Record<number, string> = {}
    const started: Record<number, ReturnType<typeof gate<void>>> = { 1: gate(), 2: gate() }
    const worker = c.work(
      {
        // Ignores its signal, like a handler stuck in a call: its attempt must not shadow the next one.
        twice: (_j, ctx) =>
          new Promise(() => {
            ctx.signal.addEventListener('abort', () => (reasons[ctx.attempt] = ctx.signal.reason.name))
            started[ctx.attempt]?.open(undefined)
          }),
      },
      { leaseMs: 60_000, pollIntervalMs: 20 },
    )
    await started[1]!.promise
    // Attempt 1's lease runs out (as if this worker had been paused) and the reaper takes the job back.
    await c.db.query(`UPDATE "${c.schema}".jobs SET lease_expires_at = now() - interval '1 second' WHERE id = $1`, [job.id])
    expect(await c.reaper.runOnce()).toBe(1)
    await started[2]!.promise
    // Attempt 1's end is settled in microtasks; setImmediate runs after them.
    await new Promise((r) => setImmediate(r))
    expect(reasons[1]).toBe('LeaseLostError')
    expect(worker.runningCount).toBe(1)
    await c.cancel(job.id)
    const done = await waitForStatus(c, job.id, ['cancelled', 'completed', 'failed'])
    await worker.stop({ gracefulStopMs: 10 })
    expect(reasons[2]).toBe('CancelledError')
    expect(done).toMatchObject({ status: 'cancelled', attempts: 2 })
  })

  it('an attempt that has ended cannot attach files over those of the attempt that took the job over', async () => {
    const c = await openConveyor()
    const job = await c.enqueue({ type: 'report', timeoutMs: 200, maxAttempts: 2, backoff: { type: 'fixed', delayMs: 1 } })
    const late = gate()
    let lateAttach: Promise<unknown> | undefined
    const worker = c.work(
      {
        report: async (_j, ctx) => {
          if (ctx.attempt === 1) {
            // Times out, keeps going, and tries to attach once attempt 2 has completed the job.
            await late.promise
            lateAttach = ctx.attach('out.txt', 'STALE from attempt 1').then(() => 'attached', (err: Error) => err.message)
            return 'late'
          }
          await ctx.attach('out.txt', 'GOOD from attempt 2')
          return 'ok'
        },
      },
      { pollIntervalMs: 20 },
    )
    const done = await waitForStatus(c, job.id, ['completed', 'failed'])
    late.open()
    expect(await waitUntilSet(() => lateAttach)).toMatch(/ended|no longer holds/)
    await worker.stop()
    expect(done).toMatchObject({ status: 'completed', attempts: 2, result: 'ok' })
    const file = await c.files.find(job.id, 'out.txt')
    let body = ''
    for await (const chunk of c.files.stream(file!)) body += chunk.toString()
    expect(body).toBe('GOOD from attempt 2')
  })

  it('a cancel heard while the claim of its job is in flight still stops the job (was: only at the next heartbeat)', async () => {
    const c = await openConveyor()
    const job = await c.enqueue({ type: 't' })
    const claim = c.jobs.claim.bind(c.jobs)
    // A user cancels right after the claim committed, and the worker hears it before it reads the claim's rows.
    c.jobs.claim = async (o) => {
      const jobs = await claim(o)
      for (const j of jobs) {
        const heard = await nextEvent(c, (e) => e.id === j.id && e.cancelRequested)
        await c.cancel(j.id)
        await heard.promise
      }
      return jobs
    }
    let ran = false
    const worker = c.work({ t: () => ((ran = true), new Promise(() => {})) }, { leaseMs: 60_000 })
    const done = await waitForStatus(c, job.id, ['cancelled', 'completed', 'failed'])
    await worker.stop({ gracefulStopMs: 10 })
    expect(done).toMatchObject({ status: 'cancelled', attempts: 1 })
    expect(ran).toBe(false)
  })

  it('a handler throwing a CancelledError of its own, with no cancel asked, fails; its attempt does not read cancelled', async () => {
    const c = await openConveyor()
    const job = await c.enqueue({ type: 'gives-up', maxAttempts: 3 })
    const worker = c.work({
      'gives-up': () => {
        throw new CancelledError()
      },
    })
    const done = await waitForStatus(c, job.id, ['failed', 'cancelled', 'completed'])
    await worker.stop()
    expect(done).toMatchObject({ status: 'failed', attempts: 1 })
    expect(done.attemptLog?.map((a) => a.outcome)).toEqual(['failed'])
  })

  it('a cancel heard during a claim that failed does not cancel a later run of that job', async () => {
    const c = await openConveyor()
    const x = await c.enqueue({ type: 'other', maxAttempts: 3 })
    const [held] = await c.jobs.claim({ workerId: 'B', types: ['other'], limit: 1, leaseMs: 60_000 }) // X runs on worker B
    // Worker A's second claim is held, then fails (a database blip).
    const claim = c.jobs.claim.bind(c.jobs)
    const inFlight = gate()
    const blip = gate()
    let calls = 0
    c.jobs.claim = async (o) => {
      if (++calls === 2) {
        inFlight.open()
        await blip.promise
        throw Object.assign(new Error('connection reset'), { code: 'ECONNRESET' })
      }
      return claim(o)
    }
    let ran = 0
    const worker = c.work({ other: () => (ran++, 'ran') }, { pollIntervalMs: 20 })
    await inFlight.promise
    const heard = await nextEvent(c, (e) => e.id === x.id && e.cancelRequested)
    await c.cancel(x.id) // heard by A while its claim is in flight: X is not A's
    await heard.promise
    await c.jobs.fail('B', [{ id: x.id, attempt: held!.attempts, error: { name: 'CancelledError', message: 'stopped' }, retryable: false, outcome: 'cancelled' }])
    blip.open()
    await c.retry(x.id) // an operator runs X again; A claims it
    const done = await waitForStatus(c, x.id, ['completed', 'failed', 'cancelled'])
    await worker.stop()
    expect(done).toMatchObject({ status: 'completed', result: 'ran' })
    expect(ran).toBe(1)
  })

  it('refuses worker options no worker could run with', async () => {
    const c = await openConveyor()
    const handlers = { noop: () => null }
    for (const [options, field] of [
      [{ concurrency: 2.5 }, 'concurrency'],
      [{ concurrency: Number.NaN }, 'concurrency'],
      [{ concurrency: 0 }, 'concurrency'],
      [{ leaseMs: -1 }, 'leaseMs'],
      [{ pollIntervalMs: 0 }, 'pollIntervalMs'],
      [{ queues: 'default' as unknown as string[] }, 'queues'],
      [{ queues: [] }, 'queues'],
    ] as [WorkerOptions, string][])
      expect(() => c.work(handlers, options), JSON.stringify(options)).toThrow(expect.objectContaining({ code: 'invalid_input', message: expect.stringContaining(field) }))
    expect(c.workers).toHaveLength(0)
  })
})

function deepestStringifiable(): number {
  let depth = 1000
  for (const step of [500, 50, 1])
    for (;;) {
      try {
        JSON.stringify(nest(depth + step))
        depth += step
      } catch {
        break
      }
    }
  return depth
}

function nest(depth: number): unknown {
  let v: unknown = 0
  for (let i = 0; i < depth; i++) v = [v]
  return v
}

/** The promise a handler sets once it runs on (the late attempt's attach). */
async function waitUntilSet<T>(get: () => Promise<T> | undefined): Promise<T> {
  for (;;) {
    const p = get()
    if (p) return p
    await new Promise((r) => setImmediate(r))
  }
}
