import type { Cron } from 'croner'
import type { Logger } from 'pino'
import { latestTickAtOrBefore, parseCron, ticksBetween } from './cron.ts'
import type { ScheduleStore } from './schedule-store.ts'

const DAY = 24 * 3600_000

export const SCHEDULER_DEFAULTS = {
  /** How often every scheduler process looks for due ticks. */
  intervalMs: 1000,
  /**
   * A tick due within this long is fired normally; an older one was missed (no scheduler ran) and
   * is left to the schedule's catchUp. Long enough to cover a slow pass or a short handover.
   */
  graceMs: 60_000,
  /** Tick history kept for "last runs" and to keep ticks from firing twice. */
  tickRetentionMs: 30 * DAY,
} as const

export interface SchedulerOptions {
  graceMs?: number
  tickRetentionMs?: number
  /**
   * The clock. Default: the database's now(), the same for every process whatever its own clock
   * says; tests inject a skewed one to show a tick still fires once.
   */
  now?: () => Promise<Date>
}

/**
 * The scheduler: any number of processes run it; each pass fires every due tick of every enabled
 * schedule through ScheduleStore.fireTick, where a unique (schedule, tick) row decides the one
 * winner. No leader, so nothing goes stale when a process dies.
 */
export class Scheduler {
  readonly #crons = new Map<string, Cron>()
  #passes = 0

  constructor(
    private readonly store: ScheduleStore,
    private readonly logger: Logger,
    private readonly options: SchedulerOptions = {},
  ) {}

  /** One pass; returns the number of jobs it enqueued. */
  async runOnce(): Promise<number> {
    const now = await (this.options.now ? this.options.now() : this.store.now())
    const grace = this.options.graceMs ?? SCHEDULER_DEFAULTS.graceMs
    const freshSince = new Date(now.getTime() - grace)
    let enqueued = 0
    for (const s of await this.store.list({ enabledOnly: true })) {
      try {
        const cron = this.#cron(s.cron, s.timezone)
        const anchor = s.lastTickAt ?? s.createdAt
        const from = anchor > freshSince ? anchor : freshSince
        const fresh = ticksBetween(cron, from, now, 1000)
        if (anchor < freshSince) {
          // Ticks between the high-water mark and the grace window were missed: nobody was running.
          const missed = latestTickAtOrBefore(cron, freshSince)
          if (missed && missed > anchor) {
            if (s.catchUp === 'latest' && fresh.length === 0) {
              if (await this.#fire(s, missed, 'caught_up')) enqueued++
            } else await this.store.advance(s.id, missed)
          }
        }
        for (const tick of fresh) if (await this.#fire(s, tick, 'enqueued')) enqueued++
      } catch (err) {
        this.logger.error({ err, schedule: s.name }, 'schedule pass failed')
      }
    }
    if (++this.#passes % 600 === 1)
      await this.store.deleteOldTicks(this.options.tickRetentionMs ?? SCHEDULER_DEFAULTS.tickRetentionMs)
    return enqueued
  }

  async #fire(s: Parameters<ScheduleStore['fireTick']>[0], tick: Date, outcome: 'enqueued' | 'caught_up') {
    const result = await this.store.fireTick(s, tick, outcome)
    if (result && result !== 'skipped') {
      this.logger.info({ schedule: s.name, tick: tick.toISOString(), jobId: result.id }, 'schedule fired')
      return true
    }
    if (result === 'skipped') this.logger.info({ schedule: s.name, tick: tick.toISOString() }, 'tick skipped: previous run still active')
    return false
  }

  #cron(expression: string, timezone: string): Cron {
    const key = `${timezone}\u0000${expression}`
    let cron = this.#crons.get(key)
    if (!cron) {
      cron = parseCron(expression, timezone)
      this.#crons.set(key, cron)
    }
    return cron
  }
}
