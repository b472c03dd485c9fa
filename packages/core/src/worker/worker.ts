import { hostname } from 'node:os'
import type { Logger } from 'pino'
import { newId } from '../ids.ts'
import { Batcher } from '../batcher.ts'
import { z } from 'zod'
import { CancelledError, describeError, PermanentError, ShutdownError, TimeoutError } from '../errors.ts'
import type { EventBus } from '../events/event-bus.ts'
import { parseInput } from '../jobs/input.ts'
import type { Job } from '../jobs/job.ts'
import type { Completion, Failure, JobStore, ProgressUpdate } from '../jobs/job-store.ts'
import type { FileData, FileInfo, FileStore } from '../files/file-store.ts'

/** What a handler gets beside its job. */
export interface JobContext {
  /** Fires on cancel, timeout, lost lease and shutdown; `signal.reason` says which. */
  signal: AbortSignal
  /** Reports progress (0–100) and an optional message. Writes are coalesced; await it to know it was written. */
  progress(percent: number, message?: string): Promise<void>
  /** A structured logger bound to this job and attempt. */
  log: Logger
  /** This attempt's number, from 1. */
  attempt: number
  workerId: string
  /**
   * Attaches a result file to the job (replacing one of the same name), downloadable with
   * GET /api/jobs/:id/files/:name. `data` may be a string, bytes or a stream.
   */
  attach(name: string, data: FileData, contentType?: string): Promise<FileInfo>
}

export type Handler<P = any, R = unknown> = (job: Job<P>, ctx: JobContext) => Promise<R> | R
export type Handlers = Record<string, Handler>

export interface WorkerOptions {
  /** Jobs run at once by this worker. Default 10. */
  concurrency?: number
  /** Queues to take jobs from. Default ["default"]. */
  queues?: string[]
  /** How often to look for jobs when no notification came. Default 1000 ms. */
  pollIntervalMs?: number
  /** Lease taken per claimed job; renewed every leaseMs / 3. Default 30000 ms. */
  leaseMs?: number
  /** How long stop() lets running handlers finish before aborting them. Default 10000 ms. */
  gracefulStopMs?: number
  /** Minimum time between two progress writes of this worker. Default 250 ms. */
  progressIntervalMs?: number
  /** A name for this worker, unique among live workers. Default host:pid:random. */
  id?: string
}

export const WORKER_DEFAULTS = {
  concurrency: 10,
  queues: ['default'],
  pollIntervalMs: 1000,
  leaseMs: 30_000,
  gracefulStopMs: 10_000,
  progressIntervalMs: 250,
} as const

interface Running {
  job: Job
  controller: AbortController
  /** Resolves with why the attempt ended early (cancel, timeout, lease lost, shutdown). */
  interrupted: Promise<Error>
  interrupt(reason: Error): void
  /** Why the attempt was interrupted, once it was (read instead of controller.signal, which is made on first read). */
  interruptedBy?: Error
  /** Set once the attempt's outcome is decided: its handler may run on, but can no longer attach files. */
  ended?: boolean
  /** Gives the job's concurrency slot back, once: when its attempt has ended, before that is written. */
  freeSlot(): void
  settled: Promise<void>
}

class LeaseLostError extends Error {
  constructor(message = 'this worker no longer holds the job: its lease expired and the job was taken over') {
    super(message)
    this.name = 'LeaseLostError'
  }
}

/**
 * Runs handlers for claimed jobs. One loop claims batches with FOR UPDATE SKIP LOCKED whenever
 * slots are free and something may be waiting: a NOTIFY of a new pending job, a finished job, or the
 * poll timer (the backstop for a lost notification). Completions, failures and progress of all
 * running jobs are written in shared statements (group commit), each fenced on this worker's id and
 * the attempt number, so a worker that lost its lease changes nothing.
 */
export class Worker {
  readonly id: string
  readonly #o: Required<Omit<WorkerOptions, 'id'>>
  /** Attempts held, by job id and attempt (an attempt whose lease was lost may run on beside the next). */
  readonly #running = new Map<string, Running>()
  /** The newest attempt held of each job: what events about the job reach. */
  readonly #newest = new Map<string, Running>()
  /**
   * Cancels heard, while a claim is in flight, for jobs not held here. A cancel asked just after a
   * claim committed can be heard before the claim's rows are read: #run looks here, so the cancel is
   * not lost until the next heartbeat. Cleared once the claim's jobs are running.
   */
  readonly #cancelsHeard = new Set<string>()
  readonly #types: string[]
  /** The claim loop in flight, if any. */
  #claiming: Promise<void> | undefined
  #claimSoon: NodeJS.Immediate | undefined
  #again = false
  #stopping = false
  #stopped: Promise<void> | undefined
  /** Claim retries after errors; the poll timer. Cleared as stop() begins. */
  #timers: NodeJS.Timeout[] = []
  /** Heartbeats go on while stop() waits for handlers: their leases must not run out meanwhile. */
  #heartbeatTimer: NodeJS.Timeout | undefined
  /** Heartbeats in flight (one per tick: a hung one must not stop the next from renewing the leases). */
  readonly #heartbeats = new Set<Promise<void>>()
  #unsubscribe: (() => void) | undefined
  #claimErrors = 0
  /**
   * Attempts whose handler is still running: what `concurrency` limits. A job stays in #running (held,
   * heartbeated, awaited by stop()) until its end is written, but its slot is freed as soon as the
   * handler ends, so the next claim overlaps that write instead of waiting for it. Together with
   * nudge() claiming once per event-loop turn: at concurrency 50 on PostgreSQL, 17 → 50 jobs per
   * claim and a drain of ~2,100 → ~4,700 jobs/s (npm run bench; see bench/profile.ts).
   */
  #busy = 0
  readonly #completer: Batcher<Completion, boolean | Error>
  readonly #failer: Batcher<Failure, string | undefined>
  readonly #progressPending = new Map<string, ProgressUpdate & { waiters: (() => void)[] }>()
  #progressTimer: NodeJS.Timeout | undefined
  #lastProgressFlush = 0
  #started: Promise<void>

  constructor(
    private readonly store: JobStore,
    private readonly events: EventBus,
    private readonly handlers: Handlers,
    options: WorkerOptions,
    private readonly logger: Logger,
    private readonly files?: FileStore,
  ) {
    this.id = options.id ?? `${hostname()}:${process.pid}:${newId().slice(-12)}`
    parseInput(workerOptionsSchema, options, 'worker options')
    this.#o = {
      concurrency: options.concurrency ?? WORKER_DEFAULTS.concurrency,
      queues: options.queues ?? [...WORKER_DEFAULTS.queues],
      pollIntervalMs: options.pollIntervalMs ?? WORKER_DEFAULTS.pollIntervalMs,
      leaseMs: options.leaseMs ?? WORKER_DEFAULTS.leaseMs,
      gracefulStopMs: options.gracefulStopMs ?? WORKER_DEFAULTS.gracefulStopMs,
      progressIntervalMs: options.progressIntervalMs ?? WORKER_DEFAULTS.progressIntervalMs,
    }
    this.#types = Object.keys(handlers)
    this.#completer = new Batcher((items) => this.#retrying('complete', () => this.#writeCompletions(items)), { maxBatch: 500 })
    this.#failer = new Batcher((items) => this.#retrying('fail', () => this.#writeFailures(items)), { maxBatch: 500 })
    this.#started = this.#start()
  }

  /** Resolves once the worker listens for new jobs and has made its first claim. */
  ready(): Promise<void> {
    return this.#started
  }

  get runningCount(): number {
    return this.#running.size
  }

  async #start() {
    try {
      this.#unsubscribe = await this.events.subscribe((e) => {
        if (e.status === 'pending' && this.#o.queues.includes(e.queue) && this.#types.includes(e.type)) this.nudge()
        else if (e.cancelRequested && e.status === 'running') {
          const held = this.#newest.get(e.id)
          if (held) held.interrupt(new CancelledError())
          else if (this.#claiming) this.#cancelsHeard.add(e.id)
        }
      })
    } catch (err) {
      this.logger.warn({ err }, 'could not LISTEN for job events; polling only until the database answers')
    }
    this.#timers.push(setInterval(() => this.nudge(), this.#o.pollIntervalMs))
    this.#heartbeatTimer = setInterval(() => {
      const beat = this.#heartbeat().finally(() => this.#heartbeats.delete(beat))
      this.#heartbeats.add(beat)
    }, Math.max(10, Math.floor(this.#o.leaseMs / 3)))
    await this.#register().catch((err) => this.logger.warn({ err }, 'could not register worker'))
    this.nudge()
  }

  /**
   * Asks the claim loop to look for jobs, at the end of this turn of the event loop: slots that free
   * up in the same turn (a batch of jobs ending together) are then filled by one claim. Claiming at
   * the first freed slot took 1 job, then the other 49: 25 jobs per claim at concurrency 50.
   */
  nudge(): void {
    if (this.#stopping) return
    if (this.#claiming) {
      this.#again = true
      return
    }
    this.#claimSoon ??= setImmediate(() => {
      this.#claimSoon = undefined
      if (this.#stopping || this.#claiming) return
      this.#claiming = this.#claimLoop().finally(() => {
        this.#claiming = undefined
        // A nudge that came after the loop's last check but before this callback must not be lost.
        if (this.#again) this.nudge()
      })
    })
  }

  async #claimLoop() {
    try {
      do {
        this.#again = false
        const free = this.#o.concurrency - this.#busy
        if (free <= 0 || this.#stopping) break
        const jobs = await this.store.claim({
          workerId: this.id,
          queues: this.#o.queues,
          types: this.#types,
          limit: free,
          leaseMs: this.#o.leaseMs,
        })
        this.#claimErrors = 0
        for (const job of jobs) this.#run(job)
        this.#cancelsHeard.clear()
        if (jobs.length === free) this.#again = true
      } while (this.#again && !this.#stopping)
    } catch (err) {
      this.#again = false
      // Cancels heard during the failed claim are of no job it took; kept, they would cancel a later
      // run of the same job (retried meanwhile) before its handler starts.
      this.#cancelsHeard.clear()
      this.#claimErrors++
      this.logger.warn({ err, attempt: this.#claimErrors }, 'claiming jobs failed; retrying')
      const t = setTimeout(() => this.nudge(), Math.min(50 * 2 ** this.#claimErrors, 5000))
      this.#timers.push(t)
    }
  }

  #run(job: Job) {
    const controller = new AbortController()
    let interrupt!: (reason: Error) => void
    const interrupted = new Promise<Error>((resolve) => {
      interrupt = (reason) => {
        if (entry.interruptedBy) return
        entry.interruptedBy = reason
        controller.abort(reason)
        resolve(reason)
      }
    })
    let slotHeld = true
    const freeSlot = () => {
      if (!slotHeld) return
      slotHeld = false
      this.#busy--
      this.nudge()
    }
    const entry: Running = { job, controller, interrupted, interrupt, freeSlot, settled: Promise.resolve() }
    // The job was claimed again while an earlier attempt of it still runs here (that attempt's lease
    // ran out, the reaper took it, and this worker claimed it anew): the earlier one has lost it.
    this.#newest.get(job.id)?.interrupt(new LeaseLostError())
    const key = attemptKey(job.id, job.attempts)
    this.#running.set(key, entry)
    this.#newest.set(job.id, entry)
    this.#busy++
    if (this.#cancelsHeard.delete(job.id) || job.cancelRequested) interrupt(new CancelledError())
    entry.settled = this.#execute(entry).finally(() => {
      if (this.#running.get(key) === entry) this.#running.delete(key)
      if (this.#newest.get(job.id) === entry) this.#newest.delete(job.id)
      freeSlot()
    })
  }

  async #execute(entry: Running) {
    const { job, controller } = entry
    // The job's logger and its AbortSignal are made when first used: most jobs never log, and in a
    // CPU profile of a drain the two were ~4 µs of a no-op job's ~50 µs (Node 20 builds a signal
    // lazily, and slowly, on first read of controller.signal).
    let logger: Logger | undefined
    const jobLog = () => (logger ??= this.logger.child({ jobId: job.id, type: job.type, attempt: job.attempts }))
    const timer = job.timeoutMs ? setTimeout(() => entry.interrupt(new TimeoutError(job.timeoutMs!)), job.timeoutMs) : undefined
    const ctx: JobContext = {
      get signal() {
        return controller.signal
      },
      progress: (percent, message) => this.#progress(job, percent, message),
      get log() {
        return jobLog()
      },
      attempt: job.attempts,
      workerId: this.id,
      attach: async (name, data, contentType) => {
        if (!this.files) throw new Error('this worker has no file store')
        // Fenced like complete: an attempt that timed out, was cancelled or lost its lease must not
        // replace the files of the attempt that took the job over (or of the job it completed).
        if (entry.ended || entry.interruptedBy) throw new LeaseLostError('this attempt has ended; it can no longer attach files')
        const held = await this.store.heartbeat(this.id, [{ id: job.id, attempt: job.attempts }], this.#o.leaseMs)
        if (!held.has(job.id)) throw new LeaseLostError()
        return this.files.upload({ name, data, contentType, jobId: job.id, owner: job.owner, kind: 'output' })
      },
    }
    const handler = this.handlers[job.type]
    type Outcome = { ok: true; result: unknown } | { ok: false; error: unknown }
    // Cancelled between its claim and here (#run): the handler is not started.
    const run: Promise<Outcome> = entry.interruptedBy
      ? Promise.resolve({ ok: false as const, error: entry.interruptedBy })
      : handler
      ? Promise.resolve()
          .then(() => handler(job, ctx))
          .then(
            (result) => ({ ok: true as const, result }),
            (error: unknown) => ({ ok: false as const, error }),
          )
      : Promise.resolve({ ok: false as const, error: new PermanentError(`no handler for job type "${job.type}"`) })
    // The attempt ends when the handler settles or when its signal fires, whichever is first: a
    // handler that ignores its signal cannot hold a cancelled or timed-out job.
    let outcome: Outcome = await Promise.race([run, entry.interrupted.then((error) => ({ ok: false as const, error }))])
    entry.ended = true
    if (timer) clearTimeout(timer)
    entry.freeSlot()
    if (outcome.ok) {
      try {
        outcome = { ok: true, result: jsonSafe(outcome.result) }
      } catch (error) {
        outcome = { ok: false, error: new PermanentError(`the handler's result is not JSON: ${describeError(error).message}`) }
      }
    }
    try {
      if (outcome.ok) {
        const done = await this.#completer.add({ id: job.id, attempt: job.attempts, result: outcome.result })
        if (done === false) jobLog().warn('job completed but its lease was lost; the result was discarded')
        if (!(done instanceof Error)) return
        // The database refused this result (e.g. JSON it cannot store): the attempt fails for good.
        outcome = { ok: false, error: new PermanentError(`the handler's result could not be stored: ${done.message}`) }
      }
      const error = outcome.error
      if (error instanceof LeaseLostError) return jobLog().warn('stopped a job whose lease was lost')
      if (error instanceof ShutdownError) {
        await this.store.release(this.id, [job.id])
        return jobLog().info('handed job back on shutdown')
      }
      const failure: Failure = {
        id: job.id,
        attempt: job.attempts,
        error: describeError(error),
        retryable: !(error instanceof PermanentError) && !(error instanceof CancelledError),
        // 'cancelled' is the database's to say (the job's cancel_requested): a handler throwing a
        // CancelledError of its own, with no cancel asked, failed; its attempt must not read cancelled.
        outcome: error instanceof TimeoutError ? 'timeout' : 'failed',
      }
      const status = await this.#failer.add(failure)
      if (status === undefined) jobLog().warn({ err: error }, 'job failed but its lease was lost')
      else jobLog().info({ err: error, status }, 'attempt failed')
    } catch (err) {
      jobLog().error({ err }, 'could not record the end of an attempt; the reaper will retry the job when its lease ends')
    }
  }

  #progress(job: Job, percent: number, message?: string): Promise<void> {
    if (!Number.isFinite(percent)) return Promise.reject(new TypeError('progress must be a number from 0 to 100'))
    const progress = Math.max(0, Math.min(100, Math.round(percent)))
    return new Promise((resolve) => {
      const prev = this.#progressPending.get(job.id)
      const waiters = prev?.waiters ?? []
      waiters.push(resolve)
      this.#progressPending.set(job.id, {
        id: job.id,
        attempt: job.attempts,
        progress,
        message: message === undefined ? (prev?.message ?? null) : message.slice(0, 1000),
        waiters,
      })
      if (!this.#progressTimer) {
        const wait = Math.max(0, this.#lastProgressFlush + this.#o.progressIntervalMs - Date.now())
        this.#progressTimer = setTimeout(() => void this.#flushProgress(), wait)
      }
    })
  }

  async #flushProgress() {
    this.#progressTimer = undefined
    this.#lastProgressFlush = Date.now()
    const batch = [...this.#progressPending.values()]
    this.#progressPending.clear()
    if (batch.length === 0) return
    try {
      await this.store.progress(
        this.id,
        batch.map(({ waiters: _, ...u }) => u),
      )
    } catch (err) {
      this.logger.warn({ err }, 'could not write progress')
    }
    for (const b of batch) for (const w of b.waiters) w()
  }

  async #heartbeat() {
    const held = [...this.#running.values()].filter((r) => !r.interruptedBy)
    try {
      const alive = await this.store.heartbeat(
        this.id,
        held.map((r) => ({ id: r.job.id, attempt: r.job.attempts })),
        this.#o.leaseMs,
      )
      for (const r of held) {
        const cancel = alive.get(r.job.id)
        if (cancel === undefined) {
          // Gone from the running set, or ended meanwhile by this worker: only a still-running one lost its lease.
          if (this.#running.get(attemptKey(r.job.id, r.job.attempts)) === r) r.interrupt(new LeaseLostError())
        } else if (cancel) r.interrupt(new CancelledError())
      }
      await this.#register()
    } catch (err) {
      this.logger.warn({ err }, 'heartbeat failed; will retry')
    }
  }

  #register() {
    return this.store.registerWorker({
      id: this.id,
      queues: this.#o.queues,
      types: this.#types,
      concurrency: this.#o.concurrency,
      running: this.#running.size,
    })
  }

  /**
   * One result the database refuses (an input error: JSON too deep for it, say) must not keep the
   * jobs sharing its statement from completing: the batch is then written one job at a time, and a
   * refused job gets the error as its answer (#execute fails it for good).
   */
  async #writeCompletions(items: Completion[]): Promise<(boolean | Error)[]> {
    try {
      const done = await this.store.complete(this.id, items)
      return items.map((c) => done.has(c.id))
    } catch (err) {
      if (!isInputError(err)) throw err
      if (items.length === 1) return [err as Error]
      return Promise.all(items.map(async (c) => (await this.#writeCompletions([c]))[0]!))
    }
  }

  async #writeFailures(items: Failure[]): Promise<(string | undefined)[]> {
    const done = await this.store.fail(this.id, items)
    return items.map((f) => done.get(f.id))
  }

  /**
   * Retries a write the database refused for a reason of its own (a restart, a lost connection).
   * The writes are fenced, so writing one twice changes nothing the second time. Gives up once the
   * lease has surely run out, as the reaper owns the job by then.
   */
  async #retrying<T>(what: string, write: () => Promise<T>): Promise<T> {
    const deadline = Date.now() + this.#o.leaseMs
    for (let attempt = 0; ; attempt++) {
      try {
        return await write()
      } catch (err) {
        if (Date.now() > deadline || isInputError(err)) throw err
        this.logger.warn({ err, attempt }, `${what} write failed; retrying`)
        await new Promise((r) => setTimeout(r, Math.min(50 * 2 ** attempt, 2000)))
      }
    }
  }

  /**
   * Stops claiming, lets running handlers finish for up to gracefulStopMs, then aborts the rest and
   * hands their jobs back to pending (the attempt is not counted). Resolves when nothing of this worker
   * is left running.
   */
  stop(options: { gracefulStopMs?: number } = {}): Promise<void> {
    this.#stopped ??= this.#stop(options.gracefulStopMs ?? this.#o.gracefulStopMs)
    return this.#stopped
  }

  async #stop(graceMs: number) {
    this.#stopping = true
    await this.#started.catch(() => {})
    for (const t of this.#timers) clearTimeout(t)
    this.#timers = []
    if (this.#claimSoon) clearImmediate(this.#claimSoon)
    this.#claimSoon = undefined
    // Heartbeats and events go on until the handlers are done: a lease must not run out during the
    // grace period (the reaper would give the job to another worker while it still runs here), and
    // a cancel asked meanwhile must still reach its handler.
    // Wait for a claim in flight: the jobs it returns must be run or handed back too.
    await this.#claiming
    const all = () => Promise.all([...this.#running.values()].map((r) => r.settled))
    let graceTimer: NodeJS.Timeout | undefined
    const grace = new Promise<'timeout'>((r) => (graceTimer = setTimeout(() => r('timeout'), graceMs)))
    const first = await Promise.race([all().then(() => 'done' as const), grace])
    clearTimeout(graceTimer)
    if (first === 'timeout') {
      for (const r of this.#running.values()) r.interrupt(new ShutdownError())
      await all()
    }
    if (this.#progressTimer) {
      clearTimeout(this.#progressTimer)
      await this.#flushProgress()
    }
    await Promise.all([this.#completer.drain(), this.#failer.drain()])
    clearInterval(this.#heartbeatTimer)
    this.#unsubscribe?.()
    this.#cancelsHeard.clear()
    // A heartbeat in flight would register this worker again after it unregistered; a hung one (a
    // lost connection) must not hold stop() for ever: a stale row is forgotten by workerDeleteStale.
    let waited: NodeJS.Timeout | undefined
    await Promise.race([Promise.allSettled(this.#heartbeats), new Promise((r) => (waited = setTimeout(r, HEARTBEAT_WAIT_AT_STOP_MS)))])
    clearTimeout(waited)
    await this.store.unregisterWorker(this.id).catch((err) => this.logger.warn({ err }, 'could not unregister worker'))
  }
}

const attemptKey = (id: string, attempt: number) => `${id}:${attempt}`

/** How long stop() waits for a heartbeat in flight before unregistering. */
const HEARTBEAT_WAIT_AT_STOP_MS = 2_000

/** Options no worker could run with (it would only log claim errors forever), refused with invalid_input. */
const whole = (min: number, max = 2 ** 31 - 1) => z.number().int().min(min).max(max).optional()
const workerOptionsSchema = z.object({
  concurrency: whole(1, 10_000),
  queues: z.array(z.string().min(1)).min(1).optional(),
  pollIntervalMs: whole(1),
  leaseMs: whole(1),
  gracefulStopMs: whole(0),
  progressIntervalMs: whole(0),
  id: z.string().min(1).max(256).optional(),
})

function isInputError(err: unknown): boolean {
  const code = (err as { code?: unknown } | null)?.code
  return code === 'invalid_input' || (typeof code === 'string' && /^2[23]/.test(code))
}

/**
 * A handler's return value as storable JSON: undefined becomes null; anything unserialisable throws.
 * Serialised two levels down, as the completion batch holds it (`[{ id, attempt, result }]`): a
 * result nested just deep enough to pass alone overflowed the batch's JSON.stringify.
 */
function jsonSafe(value: unknown): unknown {
  if (value === undefined) return null
  return (JSON.parse(JSON.stringify([{ result: value }])) as [{ result: unknown }])[0].result
}
