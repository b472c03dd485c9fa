import type { Job } from '@conveyor/contracts'
import type { ConveyorClient } from './client.ts'

/**
 * How a job that is being waited on or watched is read besides its events: a read that failed (the
 * network, a restart) is retried after `retryFirstMs`, doubling up to `retryMaxMs` — the event that
 * asked for it is never sent twice (subscriptions de-duplicate), so without a retry one failed read
 * after the last event left the wait hanging for ever — and the job is read every `recheckMs`
 * whatever the events say: nothing is published when a job is deleted.
 */
export const JOB_READ_DEFAULTS = { retryFirstMs: 500, retryMaxMs: 15_000, recheckMs: 30_000 } as const

/** The delay before the nth retry (n from 1) of a failed read. */
export function readRetryDelay(failures: number): number {
  return Math.min(JOB_READ_DEFAULTS.retryFirstMs * 2 ** Math.max(0, failures - 1), JOB_READ_DEFAULTS.retryMaxMs)
}

/** The error for a `recheckMs` below 100 ms (it would flood the server with reads), if it is one. */
export function recheckMsError(recheckMs: number | undefined): RangeError | undefined {
  if (recheckMs !== undefined && !(recheckMs >= 100)) return new RangeError(`recheckMs must be at least 100 (got ${recheckMs})`)
  return undefined
}

/**
 * Reads one job whenever asked — one read in flight and one more queued at most — retrying a read
 * that failed for any reason but a 404 (JOB_READ_DEFAULTS), and every `recheckMs` anyway, until
 * stop(). What waitForJob and JobWatch share.
 */
export class JobReader {
  readonly #aborter = new AbortController()
  readonly #backstop: ReturnType<typeof setInterval>
  #retry: ReturnType<typeof setTimeout> | undefined
  #failures = 0
  #reading = false
  #again = false

  constructor(
    private readonly client: ConveyorClient,
    private readonly id: string,
    private readonly on: {
      job(job: Job): void
      /** A read failed; `gone` when the job does not exist (404: no retry follows). */
      error(err: unknown, gone: boolean): void
    },
    recheckMs: number = JOB_READ_DEFAULTS.recheckMs,
  ) {
    this.#backstop = setInterval(() => this.read(), recheckMs)
  }

  read(): void {
    if (this.#aborter.signal.aborted) return
    if (this.#reading) {
      this.#again = true
      return
    }
    this.#reading = true
    void this.#loop().finally(() => (this.#reading = false))
  }

  stop(): void {
    this.#aborter.abort()
    clearTimeout(this.#retry)
    clearInterval(this.#backstop)
  }

  async #loop() {
    const signal = this.#aborter.signal
    do {
      this.#again = false
      try {
        const { job } = await this.client.getJob(this.id, { signal })
        this.#failures = 0
        this.on.job(job)
      } catch (err) {
        if (signal.aborted) return
        const gone = (err as { status?: number }).status === 404
        this.on.error(err, gone)
        if (gone) return
        clearTimeout(this.#retry)
        this.#retry = setTimeout(() => this.read(), readRetryDelay(++this.#failures))
        return
      }
    } while (this.#again && !signal.aborted)
  }
}
