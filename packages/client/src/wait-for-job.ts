import type { Job, JobStatus } from '@conveyor/contracts'
import type { ConveyorClient } from './client.ts'
import { JobReader, recheckMsError } from './job-reader.ts'
import type { SubscribeOptions } from './subscribe.ts'

/** The states a job ends in (until someone retries it). */
export const FINAL_STATUSES: readonly JobStatus[] = ['completed', 'failed', 'cancelled']

export function isFinalStatus(status: JobStatus): boolean {
  return FINAL_STATUSES.includes(status)
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
    const badRecheck = recheckMsError(options.recheckMs)
    if (badRecheck) return reject(badRecheck)
    let settled = false
    let timer: ReturnType<typeof setTimeout> | undefined

    const finish = (outcome: () => void) => {
      if (settled) return
      settled = true
      clearTimeout(timer)
      signal?.removeEventListener('abort', onAbort)
      unsubscribe()
      reader.stop()
      outcome()
    }
    const onAbort = () => finish(() => reject(signal!.reason))

    // Reads the whole job once an event says it ended (events carry no result), and now and then anyway.
    const reader = new JobReader(
      client,
      id,
      {
        job: (job) => isFinalStatus(job.status) && finish(() => resolve(job)),
        error: (err, gone) => gone && finish(() => reject(err)),
      },
      options.recheckMs,
    )
    const unsubscribe = client.subscribe(
      { ids: [id] },
      (e) => {
        if (isFinalStatus(e.status)) reader.read()
      },
      {
        ...options.subscription,
        onGone: () => reader.read(),
      },
    )
    signal?.addEventListener('abort', onAbort, { once: true })
    if (timeoutMs !== undefined) timer = setTimeout(() => finish(() => reject(new WaitTimeoutError(id, timeoutMs))), timeoutMs)
  })
}
