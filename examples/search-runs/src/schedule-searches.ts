import { type Conveyor, ConveyorError, ErrorCodes, type Handler } from '@conveyor/core'
import type { SearchCriteria } from './search-runs.ts'
import { SCHEDULE_SEARCHES, SCHEDULES, SEARCH, SEARCH_MAX_ATTEMPTS, SEARCH_QUEUE, SEARCH_TIMEOUT_MS, TIMEZONE } from './settings.ts'

/** A user with saved search preferences: the app's users table. */
export interface SearchUser {
  id: string
  search: SearchCriteria
}

export interface FanOutResult {
  users: number
  enqueued: number
  /** Runs that already existed for this tick (the fan-out ran again after a failure). */
  alreadyThere: number
  /** Users over their per-minute limit: skipped this time. */
  rateLimited: string[]
}

/** Declares the schedules (by name, so a restart replaces rather than adds). */
export async function declareSchedules(conveyor: Conveyor): Promise<void> {
  for (const s of SCHEDULES) {
    await conveyor.schedule({
      name: s.name,
      cron: s.cron,
      timezone: TIMEZONE,
      type: SCHEDULE_SEARCHES,
      // After downtime, the latest missed time still runs once: users wake up to fresh results.
      catchUp: 'latest',
      overlap: 'skip',
    })
  }
}

/**
 * The scheduled job: one search run per user, with the user's last criteria (their newest run's), or
 * their saved preferences if they never searched. Each run's idempotency key names the tick, so a
 * fan-out that fails half-way and runs again adds no second run for anyone.
 */
export function scheduleSearches(conveyor: Conveyor, users: () => SearchUser[] | Promise<SearchUser[]>): Handler<unknown, FanOutResult> {
  return async (job, ctx) => {
    const list = await users()
    const tick = (job.metadata?.scheduledFor as string | undefined) ?? job.createdAt.toISOString()
    const outcomes = await Promise.allSettled(
      list.map(async (user) => {
        const { jobs: [latest] } = await conveyor.listJobs({ type: SEARCH, owner: user.id, limit: 1 })
        return conveyor.submit({
          type: SEARCH,
          queue: SEARCH_QUEUE,
          payload: (latest?.payload as SearchCriteria | undefined) ?? user.search,
          owner: user.id,
          source: 'schedule',
          idempotencyKey: `schedule:${tick}`,
          maxAttempts: SEARCH_MAX_ATTEMPTS,
          timeoutMs: SEARCH_TIMEOUT_MS,
          metadata: { clientContext: null, scheduledFor: tick },
        })
      }),
    )
    const result: FanOutResult = { users: list.length, enqueued: 0, alreadyThere: 0, rateLimited: [] }
    const failures: unknown[] = []
    outcomes.forEach((o, i) => {
      if (o.status === 'fulfilled') o.value.duplicate ? result.alreadyThere++ : result.enqueued++
      else if (o.reason instanceof ConveyorError && o.reason.code === ErrorCodes.rateLimited) result.rateLimited.push(list[i]!.id)
      else failures.push(o.reason)
    })
    // Anything else fails the attempt; the next one enqueues only what is missing.
    if (failures.length > 0) throw new AggregateError(failures, `${failures.length} of ${list.length} runs could not be enqueued`)
    ctx.log.info(result, 'scheduled search runs')
    return result
  }
}
