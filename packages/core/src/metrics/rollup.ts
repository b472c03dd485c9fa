import type { Logger } from 'pino'
import type { Db } from '../db/db.ts'
import { BUCKET_BOUNDS_MS } from './buckets.ts'
import { buildMetricsQueries, type MetricsQueries } from './queries.ts'

const DAY = 24 * 3600_000

export const ROLLUP_DEFAULTS = {
  intervalMs: 10_000,
  /** Minute rows kept; older ones are folded into hours. */
  minuteRetentionMs: 30 * DAY,
  hourRetentionMs: 365 * DAY,
} as const

/**
 * The metrics rollup: every pass recomputes the recent minutes (from a little before the newest
 * rollup row) from the jobs table and replaces their rows, so a pass can run in any process, any
 * number of times, and nothing is written per job on the hot path. Old minutes fold into hours.
 */
export class Rollup {
  readonly #q: MetricsQueries
  #passes = 0

  constructor(
    private readonly db: Db,
    schema: string,
    private readonly logger: Logger,
    private readonly options: { minuteRetentionMs?: number; hourRetentionMs?: number } = {},
  ) {
    this.#q = buildMetricsQueries(schema)
  }

  async runOnce(): Promise<void> {
    const [row] = await this.db.query<{ start: Date }>(this.#q.metricsRollupStart)
    await this.db.query(this.#q.metricsRollup, [row!.start, BUCKET_BOUNDS_MS])
    if (this.#passes++ % 360 === 0) {
      const [f] = await this.db.query<{ folded: number; dropped: number }>(this.#q.metricsFold, [
        this.options.minuteRetentionMs ?? ROLLUP_DEFAULTS.minuteRetentionMs,
        this.options.hourRetentionMs ?? ROLLUP_DEFAULTS.hourRetentionMs,
      ])
      if (f && (f.folded > 0 || f.dropped > 0)) this.logger.info(f, 'folded old metric minutes into hours')
    }
  }
}
