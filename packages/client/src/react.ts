/**
 * React hooks over @conveyor/client (`import { useJob, useJobs } from '@conveyor/client/react'`).
 * Live through the event stream (polling only while it can't be opened): no interval to tune.
 * React 18 or newer is a peer dependency.
 */
import { useEffect, useMemo, useRef, useSyncExternalStore } from 'react'
import type { JobStatus } from '@conveyor/contracts'
import type { ConveyorClient, ListJobsQuery } from './client.ts'
import { type JobCallbacks, JobListWatch, type JobListState, JobWatch, type JobWatchState } from './job-watch.ts'
import type { SubscribeOptions } from './subscribe.ts'

export type UseJobOptions = JobCallbacks & { subscription?: SubscribeOptions }

export interface UseJobResult extends JobWatchState {
  /** The job's status; undefined until it was read. */
  status: JobStatus | undefined
  progress: number | undefined
}

const idle: JobWatchState = { job: undefined, error: undefined, loading: false }
const noSubscribe = () => () => {}
const idleSnapshot = () => idle

/**
 * One job, live: its state, progress and, once it ends, its result or error. `onCompleted`,
 * `onFailed` and `onCancelled` are called once when it ends (the latest callbacks are used, no need
 * to memoise them). Listening stops when the job ends; pass `null` for no job.
 *
 * @example
 *   const { job, status, progress } = useJob(client, jobId, {
 *     onCompleted: (job) => navigate(`/results/${job.id}`),
 *     onFailed: (job) => toast.error(job.lastError?.message),
 *   })
 *   if (status === 'running') return <p>Processing… {progress}%</p>
 */
export function useJob(client: ConveyorClient, id: string | null | undefined, options: UseJobOptions = {}): UseJobResult {
  const callbacks = useRef<JobCallbacks>(options)
  useEffect(() => {
    callbacks.current = options
  })
  const subscription = options.subscription
  const watch = useMemo(
    () => (id ? new JobWatch(client, id, () => callbacks.current, subscription) : undefined),
    // The subscription options are read once per job: changing them does not reopen the stream.
    // eslint-disable-next-line react-hooks/exhaustive-deps
    [client, id],
  )
  const state = useSyncExternalStore(watch?.subscribe ?? noSubscribe, watch?.getSnapshot ?? idleSnapshot, watch?.getSnapshot ?? idleSnapshot)
  return { ...state, status: state.job?.status, progress: state.job?.progress }
}

export interface UseJobsResult extends JobListState {
  /** Reads the list again now. */
  refresh(): void
}

/**
 * A list of jobs (the filters, sort and page of GET /api/jobs), live: progress is applied in place and
 * the list is read again when a job changes status or a new one appears. The filter may be a new
 * object on every render; it is compared by value — so a date computed from the clock at each render
 * (`createdAfter: new Date(Date.now() - 3600_000)`) is a new filter each time and reopens the list:
 * compute it once (useState, useMemo) or round it.
 *
 * @example
 *   const { jobs, count, loading } = useJobs(client, { status: ['pending', 'running'], type: 'import', limit: 20 })
 */
export function useJobs(client: ConveyorClient, filter: ListJobsQuery = {}, options: { subscription?: SubscribeOptions } = {}): UseJobsResult {
  const key = stableKey(filter)
  const watch = useMemo(
    () => new JobListWatch(client, filter, options.subscription),
    // eslint-disable-next-line react-hooks/exhaustive-deps
    [client, key],
  )
  const state = useSyncExternalStore(watch.subscribe, watch.getSnapshot, watch.getSnapshot)
  return { ...state, refresh: watch.refresh }
}

/** A filter's identity by value, whatever its key order. */
function stableKey(value: unknown): string {
  return JSON.stringify(value, (_k, v: unknown) =>
    v && typeof v === 'object' && !Array.isArray(v) && !(v instanceof Date)
      ? Object.fromEntries(Object.entries(v as Record<string, unknown>).sort(([a], [b]) => a.localeCompare(b)))
      : v,
  )
}
