import type { RouteResponse } from '@conveyor/contracts'

/** A live worker is one seen within this long; older, it is late, and past STALE_MS taken for gone. */
export const LATE_MS = 15_000
export const STALE_MS = 60_000

export type Staleness = 'live' | 'late' | 'stale'

export function staleness(lastSeenAt: string, now: number): Staleness {
  const age = now - Date.parse(lastSeenAt)
  return age < LATE_MS ? 'live' : age < STALE_MS ? 'late' : 'stale'
}

type QueueLike = RouteResponse<'listQueues'>['queues'][number]
type WorkerLike = Pick<RouteResponse<'listWorkers'>['workers'][number], 'queues' | 'lastSeenAt'>

/**
 * Each queue with the number of live workers serving it and what, if anything, is wrong: pending
 * jobs with no live worker to run them (unless the queue is paused on purpose).
 */
export function queueHealth<Q extends QueueLike>(queues: readonly Q[], workers: readonly WorkerLike[], now: number) {
  const live = workers.filter((w) => staleness(w.lastSeenAt, now) !== 'stale')
  return queues.map((q) => {
    const liveWorkers = live.filter((w) => w.queues.includes(q.name)).length
    const ready = q.oldestPendingAt !== null && Date.parse(q.oldestPendingAt) <= now
    const warning = !q.paused && q.pending > 0 && liveWorkers === 0 ? `${q.pending.toLocaleString('en-US')} pending and no live worker` : null
    return { ...q, liveWorkers, ready, warning }
  })
}
