import type { Job, JobEvent, SubscriptionState } from '@conveyor/client'
import { type QueryClient, useQueryClient } from '@tanstack/react-query'
import { createContext, type ReactNode, useContext, useEffect, useRef, useState } from 'react'
import { client } from './api.ts'
import { type JobListData, storeJob } from './job-cache.ts'
import { applyEvents, latestById } from './lib/live-apply.ts'

/** `paused`: the tab is hidden, so the stream is closed; it reopens and catches up on return. */
export type LiveState = SubscriptionState | 'paused'
export type BatchListener = (events: ReadonlyMap<string, JobEvent>) => void

interface Live {
  state: LiveState
  /** Called with each batch of events (the latest per job), after the cached data was updated. */
  onBatch(listener: BatchListener): () => void
}

const LiveContext = createContext<Live | null>(null)

/** Events are applied in batches: at a thousand events a second, one render per batch rather than per event. */
const FLUSH_MS = 250
/** Counts (stats, queues, metrics, workers) are read again at most this often while events arrive. */
const COUNTS_EVERY_MS = 2000
/** Rows whose status changed are read again (times, attempts, worker); at most this many per batch. */
const ROW_READS_PER_BATCH = 10

function applyBatch(qc: QueryClient, batch: ReadonlyMap<string, JobEvent>): void {
  const reread = new Set<string>()
  for (const [key, data] of qc.getQueriesData<JobListData>({ queryKey: ['jobs'] })) {
    if (!data) continue
    const { jobs, statusChanged } = applyEvents(data.jobs, batch)
    if (jobs !== data.jobs) qc.setQueryData<JobListData>(key, { ...data, jobs: jobs as Job[] })
    for (const id of statusChanged) reread.add(id)
  }
  for (const [id, e] of batch) {
    const own = qc.getQueryData<{ job: Job }>(['job', id])
    if (!own || Date.parse(e.updatedAt) < Date.parse(own.job.updatedAt)) continue
    if (e.status !== own.job.status) void qc.invalidateQueries({ queryKey: ['job', id] })
    else qc.setQueryData(['job', id], { job: { ...own.job, progress: e.progress, progressMessage: e.progressMessage, updatedAt: e.updatedAt } })
  }
  for (const id of [...reread].slice(0, ROW_READS_PER_BATCH)) {
    client.getJob(id).then(
      ({ job }) => storeJob(qc, job),
      () => undefined, // deleted meanwhile: the row keeps its last state until the list is read again
    )
  }
}

/**
 * One event stream for the whole dashboard. Events update what is on screen in place: statuses and
 * progress bars of listed jobs, the open job, and (throttled) the counts. The stream closes while
 * the tab is hidden and, on return, reopens and everything shown is read again to catch up.
 */
export function LiveProvider({ children }: { children: ReactNode }) {
  const qc = useQueryClient()
  const [state, setState] = useState<LiveState>('connecting')
  const listeners = useRef(new Set<BatchListener>())
  const [live] = useState<Omit<Live, 'state'>>(() => ({
    onBatch: (l) => {
      listeners.current.add(l)
      return () => listeners.current.delete(l)
    },
  }))

  useEffect(() => {
    let unsubscribe: (() => void) | undefined
    let buffer: JobEvent[] = []
    let flushTimer: ReturnType<typeof setTimeout> | undefined
    let countsTimer: ReturnType<typeof setTimeout> | undefined
    let countsAt = 0

    const refreshCounts = () => {
      countsTimer = undefined
      countsAt = Date.now()
      for (const key of ['stats', 'queues', 'metrics', 'workers']) void qc.invalidateQueries({ queryKey: [key] })
    }
    const flush = () => {
      flushTimer = undefined
      const batch = latestById(buffer)
      buffer = []
      if (batch.size === 0) return
      applyBatch(qc, batch)
      for (const l of listeners.current) l(batch)
      countsTimer ??= setTimeout(refreshCounts, Math.max(0, countsAt + COUNTS_EVERY_MS - Date.now()))
    }
    const onEvent = (e: JobEvent) => {
      buffer.push(e)
      flushTimer ??= setTimeout(flush, FLUSH_MS)
    }
    // A stopped subscription may still report 'closed' later: only the current one may set the state.
    let generation = 0
    const start = () => {
      if (unsubscribe) return
      const mine = ++generation
      unsubscribe = client.subscribe({}, onEvent, { onStateChange: (s) => mine === generation && setState(s) })
    }
    const stop = () => {
      generation++
      unsubscribe?.()
      unsubscribe = undefined
    }
    const onVisibility = () => {
      if (document.hidden) {
        stop()
        setState('paused')
      } else {
        start()
        void qc.invalidateQueries({ predicate: (q) => q.queryKey[0] !== 'session' })
      }
    }
    if (document.hidden) setState('paused')
    else start()
    document.addEventListener('visibilitychange', onVisibility)
    return () => {
      document.removeEventListener('visibilitychange', onVisibility)
      stop()
      clearTimeout(flushTimer)
      clearTimeout(countsTimer)
    }
  }, [qc])

  return <LiveContext.Provider value={{ state, onBatch: live.onBatch }}>{children}</LiveContext.Provider>
}

export function useLive(): Live {
  const l = useContext(LiveContext)
  if (!l) throw new Error('useLive outside LiveProvider')
  return l
}
