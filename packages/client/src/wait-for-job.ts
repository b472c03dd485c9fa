import type { Job, JobStatus } from '@conveyor/contracts'
import type { ConveyorClient } from './client.ts'
import type { SubscribeOptions } from './subscribe.ts'

/** The states a job ends in (until someone retries it). */
export const FINAL_STATUSES: readonly JobStatus[] = ['completed', 'failed', 'cancelled']

export function isFinalStatus(status: JobStatus): boolean {
  return FINAL_STATUSES.includes(status)
}

/**
 * How a job that is being waited on or watched is read again besides its events: a read that failed
 * (the network, a restart) is retried after RETRY_FIRST_MS, doubling up to RETRY_MAX_MS — the event
 * that asked for it is never sent twice (subscriptions de-duplicate), so without a retry one failed
 * read after the last event left the wait hanging for ever — and the job is read every `recheckMs`
 * whatever the events say: nothing is published when a job is deleted.
 */
export const JOB_READ_DEFAULTS = { retryFirstMs: 500, retryMaxMs: 15_000, recheckMs: 30_000 } as const

/** The delay before the nth retry (n from 1) of a failed read. */
export function readRetryDelay(failures: number): number {
  return Math.min(JOB_READ_DEFAULTS.retryFirstMs * 2 ** Math.max(0, failures - 1), JOB_READ_DEFAULTS.retryMaxMs)
}

export interface WaitForJobOptions {
  signal?: AbortSignal
  /** Rejects with a WaitTimeoutError when the job has not ended by then. Default: no limit. */
  timeoutMs?: number
  /** The job is read again this often while waiting, whatever the stream says (a deletion sends no event). Default 30000 ms. */
  recheckMs?: number
  /** Passed to the subscription (polling interval, reconnect delays). */
  subscription?: Omit<SubscribeOptions, 'onGone'>
}

/** waitForJob ran out of time; the job may still end later. */
export class WaitTimeoutError extends Error {
  override readonly name = 'WaitTimeoutError'
  readonly code = 'wait_timeout'
  constructor(
    readonly jobId: string,
    readonly timeoutMs: number,
  ) {
    super(`job ${jobId} did not end within ${timeoutMs} ms`)
  }
}

/**
 * Resolves with the job (result, lastError and attempt log included) once it is completed, failed or
 * cancelled. Listens on the event stream (falling back to polling), so it answers as soon as the job
 * ends. Rejects with the 404 ConveyorHttpError if the job does not exist (or is deleted meanwhile:
 * noticed at the next read, within `recheckMs`),
 * with a WaitTimeoutError after `timeoutMs`, and with the signal's reason when `signal` aborts.
 */
export function waitForJob(client: ConveyorClient, id: string, options: WaitForJobOptions = {}): Promise<Job> {
  const { signal, timeoutMs } = options
  return new Promise<Job>((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason)
    if (options.recheckMs !== undefined && !(options.recheckMs >= 100)) return reject(new RangeError(`recheckMs must be at least 100 (got ${options.recheckMs})`))
    const requests = new AbortController()
    let settled = false
    let timer: ReturnType<typeof setTimeout> | undefined
    let retry: ReturnType<typeof setTimeout> | undefined
    let backstop: ReturnType<typeof setInterval> | undefined
    let failures = 0
    let checking: Promise<void> | undefined
    let recheck = false

    const finish = (outcome: () => void) => {
      if (settled) return
      settled = true
      clearTimeout(timer)
      clearTimeout(retry)
      clearInterval(backstop)
      signal?.removeEventListener('abort', onAbort)
      unsubscribe()
      requests.abort()
      outcome()
    }
    const onAbort = () => finish(() => reject(signal!.reason))

    /** Reads the whole job once an event says it ended (events carry no result). */
    const check = () => {
      if (checking) {
        recheck = true
        return
      }
      checking = (async () => {
        do {
          recheck = false
          try {
            const { job } = await client.getJob(id, { signal: requests.signal })
            failures = 0
            if (isFinalStatus(job.status)) return finish(() => resolve(job))
          } catch (err) {
            if (settled) return
            if ((err as { status?: number }).status === 404) return finish(() => reject(err))
            // Anything else (the network, a restart) is transient: read again after a while.
            clearTimeout(retry)
            retry = setTimeout(check, readRetryDelay(++failures))
            return
          }
        } while (recheck && !settled)
      })().finally(() => (checking = undefined))
    }

    const unsubscribe = client.subscribe(
      { ids: [id] },
      (e) => {
        if (isFinalStatus(e.status)) check()
      },
      {
        ...options.subscription,
        onGone: () => check(),
      },
    )
    backstop = setInterval(check, options.recheckMs ?? JOB_READ_DEFAULTS.recheckMs)
    signal?.addEventListener('abort', onAbort, { once: true })
    if (timeoutMs !== undefined) timer = setTimeout(() => finish(() => reject(new WaitTimeoutError(id, timeoutMs))), timeoutMs)
  })
}
