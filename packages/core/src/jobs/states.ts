/**
 * The job's states and the one table of allowed transitions. Every operation that moves a job names
 * its transition here; its SQL only changes rows whose status is in `from` (a guarded update), and an
 * operation that finds the job in another state throws `invalid_transition`.
 *
 * Who moves jobs:
 *  - pending:   enqueue (API, schedules), retry, a failed attempt with attempts left (worker or reaper),
 *               a graceful stop handing a job back. Left by claim (worker), cancel, remove.
 *  - running:   claim. Left by complete, fail, cancel acknowledged by the worker, the reaper (lease
 *               expired), release on shutdown.
 *  - completed, failed, cancelled: final; kept until the cleaner's retention (7 / 30 / 30 days), or
 *               moved back to pending by retry.
 */
export const JobStatus = {
  pending: 'pending',
  running: 'running',
  completed: 'completed',
  failed: 'failed',
  cancelled: 'cancelled',
} as const

export type JobStatus = (typeof JobStatus)[keyof typeof JobStatus]
export const JOB_STATUSES = Object.values(JobStatus) as readonly JobStatus[]
export const FINAL_STATUSES: readonly JobStatus[] = ['completed', 'failed', 'cancelled']

export const TRANSITIONS = {
  claim: { from: ['pending'], to: ['running'] },
  complete: { from: ['running'], to: ['completed'] },
  /** A failed attempt: back to pending while attempts are left, else failed; cancelled if cancel was asked. */
  fail: { from: ['running'], to: ['pending', 'failed', 'cancelled'] },
  /** Pending jobs are cancelled at once; a running job gets cancelRequested and its worker ends it. */
  cancel: { from: ['pending', 'running'], to: ['cancelled'] },
  retry: { from: ['completed', 'failed', 'cancelled'], to: ['pending'] },
  remove: { from: ['pending', 'completed', 'failed', 'cancelled'], to: [] },
  /** The reaper: a running job whose lease ran out. */
  reap: { from: ['running'], to: ['pending', 'failed', 'cancelled'] },
  /** A stopping worker hands a job back without counting the attempt; one whose cancel was asked ends cancelled. */
  release: { from: ['running'], to: ['pending', 'cancelled'] },
} as const satisfies Record<string, { from: readonly JobStatus[]; to: readonly JobStatus[] }>

export type Transition = keyof typeof TRANSITIONS

export function canTransition(transition: Transition, from: JobStatus): boolean {
  return (TRANSITIONS[transition].from as readonly JobStatus[]).includes(from)
}

export function isJobStatus(value: string): value is JobStatus {
  return (JOB_STATUSES as readonly string[]).includes(value)
}
