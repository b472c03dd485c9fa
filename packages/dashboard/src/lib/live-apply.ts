import type { Job, JobEvent } from '@conveyor/client'

/**
 * Applies job events to jobs already shown, in place: status, progress and its message. Rows are
 * never added, removed or reordered here (a live view must not jump while someone reads it); an
 * event older than the row is ignored. Answers the new list (the same array when nothing changed)
 * and the ids whose status changed (their other fields — attempts, times, worker — are read again).
 */
export function applyEvents(jobs: readonly Job[], events: ReadonlyMap<string, JobEvent>): { jobs: readonly Job[]; statusChanged: string[] } {
  const statusChanged: string[] = []
  let changed = false
  const next = jobs.map((job) => {
    const e = events.get(job.id)
    if (!e || Date.parse(e.updatedAt) < Date.parse(job.updatedAt)) return job
    if (e.status === job.status && e.progress === job.progress && e.progressMessage === job.progressMessage) return job
    changed = true
    if (e.status !== job.status) statusChanged.push(job.id)
    return { ...job, status: e.status, progress: e.progress, progressMessage: e.progressMessage, updatedAt: e.updatedAt }
  })
  return { jobs: changed ? next : jobs, statusChanged }
}

/** Keeps the latest event per job of a batch (events of one job arrive in order). */
export function latestById(events: readonly JobEvent[]): Map<string, JobEvent> {
  const m = new Map<string, JobEvent>()
  for (const e of events) {
    const prev = m.get(e.id)
    if (!prev || Date.parse(e.updatedAt) >= Date.parse(prev.updatedAt)) m.set(e.id, e)
  }
  return m
}
