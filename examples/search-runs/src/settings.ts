/** The settings of the search-runs example, in one place (the page imports these too: no server code here). */

/** The search job's type: what examples/python-worker/worker.py runs. */
export const SEARCH = 'search'
/** Search runs have a queue of their own, with per-user fairness. */
export const SEARCH_QUEUE = 'searches'
/** The scheduled job that enqueues one search run per user. */
export const SCHEDULE_SEARCHES = 'schedule-searches'

export const TIMEZONE = 'Europe/London'
/** 08:00, 10:00, 14:00, 16:00, 16:45 and 22:00 in London, summer time or not. */
export const SCHEDULES = [
  { name: 'search-runs', cron: '0 8,10,14,16,22 * * *' },
  { name: 'search-runs-16-45', cron: '45 16 * * *' },
] as const

/**
 * Fair sharing of the search queue: one running search per user at a time (a user with many runs
 * never holds back the others), and at most 20 new runs per user per minute (429 beyond).
 */
export const FAIRNESS = { ownerConcurrency: 1, ownerEnqueuesPerMinute: 20 }

/** A user's own searches run before the scheduled ones. */
export const MANUAL_PRIORITY = 10
/** A search that takes longer than this is stopped (the worker sees it cancelled). */
export const SEARCH_TIMEOUT_MS = 5 * 60_000
/** Attempts per run: a crashed or lost worker's run is taken up again, twice. */
export const SEARCH_MAX_ATTEMPTS = 3
