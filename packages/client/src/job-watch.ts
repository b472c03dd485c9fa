import type { Job, JobEvent } from '@conveyor/contracts'
import type { ConveyorClient, ListJobsQuery } from './client.ts'
import type { SubscribeOptions, Unsubscribe } from './subscribe.ts'
import { JobReader, recheckMsError } from './job-reader.ts'
import { isFinalStatus } from './wait-for-job.ts'

/** Called once per watch when the job ends (with the whole job: result, lastError). */
export interface JobCallbacks {
  onCompleted?(job: Job): void
  onFailed?(job: Job): void
  onCancelled?(job: Job): void
}

export interface JobWatchState {
  /** The job as last seen; undefined until it was read. */
  job: Job | undefined
  /** The last error reading it (a 404 ConveyorHttpError when it does not exist). */
  error: unknown
  /** True until the job was read once (or could not be). */
  loading: boolean
}

/**
 * An external store (the subscribe / getSnapshot pair React's useSyncExternalStore takes) that starts
 * its work with its first listener and stops it with its last.
 */
abstract class LiveStore<S> {
  #state: S
  readonly #listeners = new Set<() => void>()

  constructor(initial: S) {
    this.#state = initial
  }

  readonly getSnapshot = (): S => this.#state

  readonly subscribe = (listener: () => void): (() => void) => {
    this.#listeners.add(listener)
    if (this.#listeners.size === 1) this.start()
    return () => {
      this.#listeners.delete(listener)
      if (this.#listeners.size === 0) this.stop()
    }
  }

  protected set(next: Partial<S>): void {
    this.#state = { ...this.#state, ...next }
    for (const l of this.#listeners) l()
  }

  protected abstract start(): void
  protected abstract stop(): void
}

export interface JobWatchOptions extends SubscribeOptions {
  /** The job is read again this often while it runs, whatever the stream says (a deletion sends no event). Default 30000 ms. */
  recheckMs?: number
}

/**
 * A live view of one job for UI frameworks: an external store (subscribe / getSnapshot, the shape
 * React's useSyncExternalStore takes). It starts listening with its first listener, reads the whole
 * job whenever its status changes, applies progress events in place, and stops listening once the
 * job ends.
 */
export class JobWatch extends LiveStore<JobWatchState> {
  #unsubscribe: Unsubscribe | undefined
  #reader: JobReader | undefined
  #notifiedEnd = false
  #notifiedGone = false

  constructor(
    private readonly client: ConveyorClient,
    private readonly id: string,
    private readonly callbacks: () => JobCallbacks | undefined = () => undefined,
    private readonly options: JobWatchOptions = {},
  ) {
    super({ job: undefined, error: undefined, loading: true })
    const badRecheck = recheckMsError(options.recheckMs)
    if (badRecheck) throw badRecheck
  }

  protected start(): void {
    const job = this.getSnapshot().job
    // A job already seen ended stays ended: nothing to listen for.
    if (job && isFinalStatus(job.status)) return
    const { recheckMs, ...subscription } = this.options
    const reader = (this.#reader = new JobReader(
      this.client,
      this.id,
      {
        job: (job) => {
          this.set({ job, error: undefined, loading: false })
          if (isFinalStatus(job.status)) this.#ended(job)
        },
        error: (error, gone) => {
          this.set({ error, loading: false })
          if (!gone) return
          this.stop()
          if (!this.#notifiedGone) this.options.onGone?.(this.id)
          this.#notifiedGone = true
        },
      },
      recheckMs,
    ))
    // With ids, the subscription delivers the job's current state first: that event triggers the first read.
    this.#unsubscribe = this.client.subscribe({ ids: [this.id] }, (e) => this.#onEvent(e), {
      ...subscription,
      // The read answers 404 and tells the caller's onGone (once, however the deletion was noticed).
      onGone: () => reader.read(),
    })
  }

  protected stop(): void {
    this.#unsubscribe?.()
    this.#unsubscribe = undefined
    this.#reader?.stop()
    this.#reader = undefined
  }

  #onEvent(e: JobEvent) {
    const job = this.getSnapshot().job
    if (job && job.status === e.status && !isFinalStatus(e.status)) {
      if (Date.parse(e.updatedAt) >= Date.parse(job.updatedAt)) {
        this.set({ job: { ...job, progress: e.progress, progressMessage: e.progressMessage, updatedAt: e.updatedAt } })
      }
      return
    }
    this.#reader?.read()
  }

  #ended(job: Job) {
    this.stop()
    if (this.#notifiedEnd) return
    this.#notifiedEnd = true
    const cb = this.callbacks()
    if (job.status === 'completed') cb?.onCompleted?.(job)
    else if (job.status === 'failed') cb?.onFailed?.(job)
    else if (job.status === 'cancelled') cb?.onCancelled?.(job)
  }
}

export interface JobListState {
  jobs: Job[]
  /** Jobs matching the filter in all. */
  count: number
  nextCursor: string | null
  error: unknown
  loading: boolean
}

/** Re-reads of a list are at most this often; events in between are applied in place. */
const LIST_REFRESH_MS = 250

/**
 * A live list of jobs for UI frameworks (an external store like JobWatch): reads the list, applies
 * progress events to the jobs shown, and re-reads the list (at most every 250 ms) when a job changes
 * status or a new one appears, since the filter or the order may then take it in or out.
 */
export class JobListWatch extends LiveStore<JobListState> {
  #unsubscribe: Unsubscribe | undefined
  #aborter: AbortController | undefined
  #timer: ReturnType<typeof setTimeout> | undefined
  #reading = false
  #readAgain = false
  #lastRead = 0

  constructor(
    private readonly client: ConveyorClient,
    private readonly filter: ListJobsQuery = {},
    private readonly options: SubscribeOptions = {},
  ) {
    super({ jobs: [], count: 0, nextCursor: null, error: undefined, loading: true })
  }

  /** Reads the list again now. */
  readonly refresh = (): void => {
    clearTimeout(this.#timer)
    this.#timer = undefined
    void this.#read()
  }

  protected start(): void {
    this.#aborter = new AbortController()
    const { queue, type } = this.filter
    this.#unsubscribe = this.client.subscribe(
      { ...(queue ? { queue } : {}), ...(type ? { type } : {}) },
      (e) => this.#onEvent(e),
      {
        ...this.options,
        // A stream that opens after a gap (or the switch to polling) may have missed changes.
        onStateChange: (state, error) => {
          this.options.onStateChange?.(state, error)
          if (state === 'open' || state === 'polling') this.#schedule()
        },
      },
    )
    void this.#read()
  }

  protected stop(): void {
    this.#unsubscribe?.()
    this.#unsubscribe = undefined
    this.#aborter?.abort()
    clearTimeout(this.#timer)
    this.#timer = undefined
  }

  #onEvent(e: JobEvent) {
    const i = this.getSnapshot().jobs.findIndex((j) => j.id === e.id)
    const shown = this.getSnapshot().jobs[i]
    if (shown && shown.status === e.status) {
      if (Date.parse(e.updatedAt) >= Date.parse(shown.updatedAt)) {
        const jobs = this.getSnapshot().jobs.slice()
        jobs[i] = { ...shown, progress: e.progress, progressMessage: e.progressMessage, updatedAt: e.updatedAt }
        this.set({ jobs })
      }
      return
    }
    this.#schedule()
  }

  #schedule() {
    if (this.#timer) return
    this.#timer = setTimeout(
      () => {
        this.#timer = undefined
        void this.#read()
      },
      Math.max(0, this.#lastRead + LIST_REFRESH_MS - Date.now()),
    )
  }

  async #read() {
    if (this.#reading) {
      this.#readAgain = true
      return
    }
    this.#reading = true
    const signal = this.#aborter?.signal
    try {
      do {
        this.#readAgain = false
        this.#lastRead = Date.now()
        try {
          const page = await this.client.listJobs(this.filter, signal ? { signal } : {})
          this.set({ jobs: page.jobs, count: page.count, nextCursor: page.nextCursor, error: undefined, loading: false })
        } catch (error) {
          if (signal?.aborted) return
          this.set({ error, loading: false })
        }
      } while (this.#readAgain && !signal?.aborted)
    } finally {
      this.#reading = false
    }
  }
}
