import { type Job, LIMITS } from '@conveyor/contracts'
import type { ConveyorClient, FailRequest } from './client.ts'
import { isConveyorHttpError } from './http-error.ts'
import { sleep } from './sleep.ts'
import { CancelledError, LeaseLostError, PermanentError, ShutdownError, TimeoutError } from './worker-errors.ts'

/** A pino-compatible logger (pino itself, or anything with these methods). */
export interface WorkerLogger {
  info(obj: object, msg?: string): void
  warn(obj: object, msg?: string): void
  error(obj: object, msg?: string): void
  child?(bindings: object): WorkerLogger
}

/** A claimed job as a handler sees it. */
export type HttpJob<P = unknown> = Omit<Job, 'payload'> & { payload: P }

/** What a handler gets beside its job (the same shape as the in-process worker's context). */
export interface HttpJobContext {
  /** Fires on cancel, timeout, lost lease and shutdown; `signal.reason` says which. */
  signal: AbortSignal
  /** Reports progress (0–100) and an optional message. Writes are coalesced; await it to know it was sent. */
  progress(percent: number, message?: string): Promise<void>
  log: WorkerLogger
  /** This attempt's number, from 1. */
  attempt: number
  workerId: string
}

export type HttpHandler<P = any, R = unknown> = (job: HttpJob<P>, ctx: HttpJobContext) => Promise<R> | R
export type HttpHandlers = Record<string, HttpHandler>

export interface HttpWorkerOptions {
  /** Jobs run at once. Default 10. */
  concurrency?: number
  /** Queues to take jobs from. Default ["default"]. */
  queues?: string[]
  /** Lease taken per claimed job; each job heartbeats every leaseMs / 3. Default 30000 ms. */
  leaseMs?: number
  /** How long one claim request waits on the server for a job (long-poll). Default 20000 ms; at most 60000. */
  waitMs?: number
  /** Pause between claims that found nothing, when waitMs is 0. Default 1000 ms. */
  pollIntervalMs?: number
  /** How long stop() lets running handlers finish before aborting them. Default 10000 ms. */
  gracefulStopMs?: number
  /** Minimum time between two progress writes of one job. Default 250 ms. */
  progressIntervalMs?: number
  /** A name for this worker, unique among live workers. Default `http:PID:RANDOM`. */
  id?: string
  /** Default: silent. */
  logger?: WorkerLogger
}

export const HTTP_WORKER_DEFAULTS = {
  concurrency: 10,
  queues: ['default'],
  leaseMs: 30_000,
  waitMs: 20_000,
  pollIntervalMs: 1000,
  gracefulStopMs: 10_000,
  progressIntervalMs: 250,
} as const

/** How long stop() waits for a claim the server was asked to end before hanging up on it. */
const END_CLAIM_WAIT_MS = 2000

const silent: WorkerLogger = { info() {}, warn() {}, error() {} }

interface PendingProgress {
  progress: number
  message: string | undefined
  waiters: (() => void)[]
}

interface Running {
  job: Job
  controller: AbortController
  interrupted: Promise<Error>
  interrupt(reason: Error): void
  settled: Promise<void>
  progress: PendingProgress | undefined
  progressTimer: ReturnType<typeof setTimeout> | undefined
  lastProgressAt: number
  log: WorkerLogger
}

/**
 * Runs handlers against a remote Conveyor server over the worker protocol: long-poll claims, a
 * heartbeat per running job, cancel requests heard at once on GET /api/workers/cancels (and at the
 * next heartbeat, when that stream is down or the server is older: the handler's signal fires), coalesced
 * progress, complete and fail, each sent with the attempt number so a worker whose lease was lost
 * changes nothing (the server answers 409, and the handler's signal fires). This is what
 * `conveyor worker --server URL --key KEY --handlers FILE` runs; it needs a key with the worker role.
 *
 * @example
 *   const worker = new HttpWorker(createClient({ baseUrl, key }), {
 *     scan: async (job, ctx) => { await ctx.progress(50); return { alive: 10 } },
 *   }, { concurrency: 4 })
 *   await worker.ready()
 *   process.once('SIGTERM', () => void worker.stop())
 */
export class HttpWorker {
  readonly id: string
  readonly #client: ConveyorClient
  readonly #handlers: HttpHandlers
  readonly #o: Required<Omit<HttpWorkerOptions, 'id' | 'logger'>>
  readonly #log: WorkerLogger
  readonly #running = new Map<string, Running>()
  readonly #types: string[]
  readonly #claimAbort = new AbortController()
  readonly #stopWatchingCancels: () => Promise<void>
  #stopping = false
  /** A claim request is on its way or waiting for work (stop() ends it rather than hang up). */
  #claimInFlight = false
  #stopped: Promise<void> | undefined
  #loop: Promise<void>
  #slotFreed: (() => void) | undefined
  #ready: Promise<void>
  #markReady!: () => void
  #failReady!: (err: unknown) => void

  constructor(client: ConveyorClient, handlers: HttpHandlers, options: HttpWorkerOptions = {}) {
    this.#client = client
    this.#handlers = handlers
    this.#types = Object.keys(handlers)
    if (this.#types.length === 0) throw new TypeError('HttpWorker needs at least one handler')
    this.#o = {
      concurrency: options.concurrency ?? HTTP_WORKER_DEFAULTS.concurrency,
      queues: options.queues ?? [...HTTP_WORKER_DEFAULTS.queues],
      leaseMs: options.leaseMs ?? HTTP_WORKER_DEFAULTS.leaseMs,
      waitMs: options.waitMs ?? HTTP_WORKER_DEFAULTS.waitMs,
      pollIntervalMs: options.pollIntervalMs ?? HTTP_WORKER_DEFAULTS.pollIntervalMs,
      gracefulStopMs: options.gracefulStopMs ?? HTTP_WORKER_DEFAULTS.gracefulStopMs,
      progressIntervalMs: options.progressIntervalMs ?? HTTP_WORKER_DEFAULTS.progressIntervalMs,
    }
    const pid = (globalThis as { process?: { pid?: number } }).process?.pid
    this.id = options.id ?? `http:${pid ?? 'browser'}:${globalThis.crypto.randomUUID().slice(-12)}`
    this.#log = options.logger ?? silent
    this.#ready = new Promise<void>((resolve, reject) => {
      this.#markReady = resolve
      this.#failReady = reject
    })
    // Observed here so an unawaited ready() that rejects does not crash the process; awaiters still see it.
    this.#ready.catch(() => {})
    // A heartbeat every leaseMs / 3 hears a cancel up to 10 s late (the default lease); the stream, within a second.
    this.#stopWatchingCancels = client.watchCancels((id) => this.#cancelHeard(id), {
      onRefused: (err) => this.#log.warn({ err }, 'the server refused the cancel stream; cancels arrive with heartbeats'),
    })
    this.#loop = this.#claimLoop()
  }

  /** Resolves once the first claim was answered; rejects when the server refuses the key (401, 403). */
  ready(): Promise<void> {
    return this.#ready
  }

  get runningCount(): number {
    return this.#running.size
  }

  /** True once stop() was called, or the worker stopped itself because its key was refused. */
  get stopping(): boolean {
    return this.#stopping
  }

  async #claimLoop() {
    let failures = 0
    while (!this.#stopping) {
      const free = this.#o.concurrency - this.#running.size
      if (free <= 0) {
        await new Promise<void>((resolve) => (this.#slotFreed = resolve))
        continue
      }
      try {
        this.#claimInFlight = true
        const { jobs } = await this.#client.claim(
          {
            workerId: this.id,
            queues: this.#o.queues,
            types: this.#types,
            // The route takes at most LIMITS.claim jobs a call; a larger concurrency fills up over several.
            limit: Math.min(free, LIMITS.claim),
            leaseMs: this.#o.leaseMs,
            waitMs: this.#o.waitMs,
          },
          { signal: this.#claimAbort.signal },
        ).finally(() => (this.#claimInFlight = false))
        failures = 0
        this.#markReady()
        // Jobs that arrive as stop() begins are run too: they are ours now, and stop() waits for them.
        for (const job of jobs) this.#run(job)
        if (jobs.length === 0 && this.#o.waitMs === 0 && !this.#stopping) await sleep(this.#o.pollIntervalMs, this.#claimAbort.signal)
      } catch (err) {
        if (this.#stopping) break
        if (isConveyorHttpError(err) && (err.status === 401 || err.status === 403)) {
          this.#log.error({ err }, 'the server refused this worker key; stopping')
          this.#failReady(err)
          void this.stop()
          break
        }
        failures++
        const delay = isConveyorHttpError(err, 'rate_limited') && err.retryAfterMs ? err.retryAfterMs : Math.min(100 * 2 ** failures, 10_000)
        this.#log.warn({ err, failures }, 'claiming jobs failed; retrying')
        await sleep(delay, this.#claimAbort.signal)
      }
    }
  }

  /**
   * Ends the claim loop. A claim waiting for work is ended by the server (POST /api/workers/claim/end)
   * and its answer read: hanging up on it instead lost the jobs it took at that moment (the server had
   * written its answer) until their lease ran out. The answer's jobs are run like any (stop() waits for
   * them). A server without that route, or a claim still on its way when the server was asked, is
   * hung up on after END_CLAIM_WAIT_MS.
   */
  async #endClaim() {
    if (!this.#claimInFlight) {
      // Between claims (a sleep, a backoff): nothing is on its way.
      this.#claimAbort.abort()
      return this.#loop
    }
    // Waits for the claim's answer: at most END_CLAIM_WAIT_MS, and not at all once the route failed.
    let timer: ReturnType<typeof setTimeout> | undefined
    const late = new Promise<void>((resolve) => (timer = setTimeout(resolve, END_CLAIM_WAIT_MS)))
    const asking = new AbortController()
    const failed = this.#client.endClaimWait(this.id, { signal: asking.signal }).then(
      () => new Promise<void>(() => {}),
      (err: unknown) => {
        if (!asking.signal.aborted) this.#log.warn({ err }, 'could not end the waiting claim; hanging up on it')
      },
    )
    await Promise.race([this.#loop, late, failed])
    clearTimeout(timer)
    asking.abort() // no request outlives stop()
    // Hangs up on a claim that has not answered; once it answered, this only wakes a sleep.
    this.#claimAbort.abort()
    await this.#loop
  }

  /** A cancel request from the stream: ends this worker's attempt of the job, as a heartbeat answering cancelRequested does. */
  #cancelHeard(id: string) {
    for (const entry of this.#running.values()) if (entry.job.id === id) entry.interrupt(new CancelledError())
  }

  #run(job: Job) {
    const controller = new AbortController()
    let interrupt!: (reason: Error) => void
    const interrupted = new Promise<Error>((resolve) => {
      interrupt = (reason) => {
        if (controller.signal.aborted) return
        controller.abort(reason)
        resolve(reason)
      }
    })
    const log = this.#log.child?.({ jobId: job.id, type: job.type, attempt: job.attempts }) ?? this.#log
    const entry: Running = {
      job,
      controller,
      interrupted,
      interrupt,
      settled: Promise.resolve(),
      progress: undefined,
      progressTimer: undefined,
      lastProgressAt: 0,
      log,
    }
    // By attempt: a job reaped from this worker may come back to it as a new attempt while the old one winds down.
    const key = `${job.id}:${job.attempts}`
    this.#running.set(key, entry)
    entry.settled = this.#execute(entry)
      .catch((err: unknown) => log.error({ err }, 'could not report the end of an attempt; the server reclaims the job when its lease ends'))
      .finally(() => {
        this.#running.delete(key)
        this.#slotFreed?.()
        this.#slotFreed = undefined
      })
  }

  async #execute(entry: Running) {
    const { job, controller, log } = entry
    const timeout = job.timeoutMs ? setTimeout(() => entry.interrupt(new TimeoutError(job.timeoutMs!)), job.timeoutMs) : undefined
    const heartbeat = this.#startHeartbeat(entry)
    const ctx: HttpJobContext = {
      signal: controller.signal,
      progress: (percent, message) => this.#progress(entry, percent, message),
      log,
      attempt: job.attempts,
      workerId: this.id,
    }
    const handler = this.#handlers[job.type]
    type Outcome = { ok: true; result: unknown } | { ok: false; error: unknown }
    const run: Promise<Outcome> = handler
      ? Promise.resolve()
          .then(() => handler(job, ctx))
          .then(
            (result) => ({ ok: true as const, result }),
            (error: unknown) => ({ ok: false as const, error }),
          )
      : Promise.resolve({ ok: false as const, error: new PermanentError(`no handler for job type "${job.type}"`) })
    // The attempt ends when the handler settles or its signal fires, whichever is first: a handler that
    // ignores its signal cannot hold a cancelled or timed-out job.
    let outcome: Outcome = await Promise.race([run, entry.interrupted.then((error) => ({ ok: false as const, error }))])
    clearTimeout(timeout)
    clearInterval(heartbeat)
    if (outcome.ok) {
      try {
        outcome = { ok: true, result: jsonSafe(outcome.result) }
      } catch (error) {
        outcome = { ok: false, error: new PermanentError(`the handler's result is not JSON: ${(error as Error).message}`) }
      }
    }
    if (outcome.ok || !(outcome.error instanceof LeaseLostError)) await this.#flushProgress(entry)
    else this.#dropProgress(entry)

    const fenced = { workerId: this.id, attempt: job.attempts }
    if (outcome.ok) {
      const { result } = outcome
      try {
        const done = await this.#report(entry, () => this.#client.complete(job.id, { ...fenced, result }))
        if (done) log.info({}, 'job completed')
        return
      } catch (err) {
        // The server refused the result itself (over its body limit, 413, or not storable, 400): the
        // attempt fails for good, as the in-process worker fails a result it cannot store. Left
        // unreported, the job ran until its lease ended and was retried the same way.
        if (!isConveyorHttpError(err) || (err.status !== 413 && err.status !== 400)) throw err
        outcome = { ok: false, error: new PermanentError(`the server refused the handler's result (${err.status}): ${err.message}`) }
      }
    }
    const error = outcome.error
    if (error instanceof LeaseLostError) return log.warn({}, 'stopped a job whose lease was lost')
    if (error instanceof ShutdownError) {
      // Handed back unrun, the attempt not counted (as the in-process worker does).
      const done = await this.#report(entry, () => this.#client.release(job.id, fenced))
      if (done) log.info({}, 'handed job back on shutdown')
      return
    }
    const name = errorName(error)
    const failure: FailRequest = {
      ...fenced,
      error: describeError(error),
      // A cancelled job ends cancelled whatever this says; a permanent error ends the job now.
      retryable: name !== 'PermanentError' && name !== 'CancelledError',
      outcome: error instanceof TimeoutError ? 'timeout' : 'failed',
    }
    const done = await this.#report(entry, () => this.#client.fail(job.id, failure))
    if (done) log.info({ err: error }, 'attempt failed')
  }

  /**
   * Sends a complete or fail, retrying what the network or a restarting server refused until the
   * lease has surely run out (the server owns the job by then). A 409 means the lease was lost.
   */
  async #report(entry: Running, send: () => Promise<unknown>): Promise<boolean> {
    const deadline = Date.now() + this.#o.leaseMs
    for (let attempt = 0; ; attempt++) {
      try {
        await send()
        return true
      } catch (err) {
        if (isConveyorHttpError(err) && (err.status === 409 || err.status === 404)) {
          entry.log.warn({ err }, 'the server no longer gives this worker the job (lease lost); the outcome was discarded')
          return false
        }
        const transient = !isConveyorHttpError(err) || err.status >= 500 || err.status === 429
        if (!transient || Date.now() > deadline) throw err
        entry.log.warn({ err, attempt }, 'reporting the outcome failed; retrying')
        await new Promise((r) => setTimeout(r, Math.min(100 * 2 ** attempt, 2000)))
      }
    }
  }

  /**
   * Heartbeats one job every leaseMs / 3: renews its lease and learns of cancel requests. Each request
   * gives up after that interval: one that hung (a server or network that stopped answering) held
   * every later heartbeat back, and the check that gives the job up after a lease without one never ran.
   */
  #startHeartbeat(entry: Running) {
    let lastOk = Date.now()
    let inFlight = false
    const every = Math.max(10, Math.floor(this.#o.leaseMs / 3))
    return setInterval(
      async () => {
        if (inFlight || entry.controller.signal.aborted) return
        inFlight = true
        try {
          const { cancelRequested } = await this.#client.heartbeat(
            entry.job.id,
            { workerId: this.id, leaseMs: this.#o.leaseMs, attempt: entry.job.attempts },
            { signal: AbortSignal.timeout(every) },
          )
          lastOk = Date.now()
          if (cancelRequested) entry.interrupt(new CancelledError())
        } catch (err) {
          if (isConveyorHttpError(err) && (err.status === 409 || err.status === 404)) entry.interrupt(new LeaseLostError())
          else if (Date.now() - lastOk > this.#o.leaseMs) {
            // No heartbeat got through for a whole lease: the server has surely handed the job on.
            entry.log.warn({ err }, 'no heartbeat got through for a whole lease; giving the job up')
            entry.interrupt(new LeaseLostError())
          } else entry.log.warn({ err }, 'heartbeat failed; will retry')
        } finally {
          inFlight = false
        }
      },
      every,
    )
  }

  #progress(entry: Running, percent: number, message?: string): Promise<void> {
    if (!Number.isFinite(percent)) return Promise.reject(new TypeError('progress must be a number from 0 to 100'))
    const progress = Math.max(0, Math.min(100, Math.round(percent)))
    return new Promise((resolve) => {
      const prev = entry.progress
      entry.progress = {
        progress,
        message: message === undefined ? prev?.message : message.slice(0, 1000),
        waiters: [...(prev?.waiters ?? []), resolve],
      }
      if (!entry.progressTimer) {
        const wait = Math.max(0, entry.lastProgressAt + this.#o.progressIntervalMs - Date.now())
        entry.progressTimer = setTimeout(() => void this.#flushProgress(entry), wait)
      }
    })
  }

  async #flushProgress(entry: Running) {
    clearTimeout(entry.progressTimer)
    entry.progressTimer = undefined
    const pending = entry.progress
    entry.progress = undefined
    if (!pending) return
    entry.lastProgressAt = Date.now()
    try {
      await this.#client.progress(entry.job.id, {
        workerId: this.id,
        attempt: entry.job.attempts,
        progress: pending.progress,
        ...(pending.message !== undefined ? { message: pending.message } : {}),
      })
    } catch (err) {
      if (isConveyorHttpError(err) && (err.status === 409 || err.status === 404)) entry.interrupt(new LeaseLostError())
      else entry.log.warn({ err }, 'could not write progress')
    }
    for (const w of pending.waiters) w()
  }

  #dropProgress(entry: Running) {
    clearTimeout(entry.progressTimer)
    entry.progressTimer = undefined
    for (const w of entry.progress?.waiters ?? []) w()
    entry.progress = undefined
  }

  /**
   * Stops claiming (an open long-poll is abandoned), lets running handlers finish for up to
   * gracefulStopMs, then aborts the rest with a ShutdownError and hands their jobs back (released:
   * pending again, the attempt not counted). Resolves when nothing of this worker is left running.
   */
  stop(options: { gracefulStopMs?: number } = {}): Promise<void> {
    this.#stopped ??= this.#stop(options.gracefulStopMs ?? this.#o.gracefulStopMs)
    return this.#stopped
  }

  async #stop(graceMs: number) {
    this.#stopping = true
    this.#slotFreed?.()
    await this.#endClaim()
    this.#failReady(new ShutdownError())
    const all = () => Promise.all([...this.#running.values()].map((r) => r.settled))
    let graceTimer: ReturnType<typeof setTimeout> | undefined
    const grace = new Promise<'timeout'>((r) => (graceTimer = setTimeout(() => r('timeout'), graceMs)))
    const first = await Promise.race([all().then(() => 'done' as const), grace])
    clearTimeout(graceTimer)
    if (first === 'timeout') {
      for (const r of this.#running.values()) r.interrupt(new ShutdownError())
      await all()
    }
    // Closed last: a handler finishing within the grace period may still be cancelled.
    await this.#stopWatchingCancels()
  }
}

function errorName(error: unknown): string {
  return error instanceof Error ? error.name : 'Error'
}

/** An error as the fail route takes it, cut to the route's bounds. */
function describeError(error: unknown): FailRequest['error'] {
  if (error instanceof Error) {
    return {
      message: (error.message || String(error)).slice(0, 10_000),
      name: error.name.slice(0, 256),
      ...(error.stack ? { stack: error.stack.slice(0, 8000) } : {}),
    }
  }
  let message: string
  try {
    message = typeof error === 'string' ? error : JSON.stringify(error)
  } catch {
    message = String(error)
  }
  return { message: (message ?? String(error)).slice(0, 10_000), name: 'Error' }
}

/** A handler's return value as JSON: undefined becomes null; anything unserialisable throws. */
function jsonSafe(value: unknown): unknown {
  if (value === undefined) return null
  return JSON.parse(JSON.stringify(value)) as unknown
}
