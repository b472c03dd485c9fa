import type { Logger } from 'pino'
import type { JobStore } from '../jobs/job-store.ts'

export const REAPER_DEFAULTS = {
  /** How often to look for expired leases. */
  intervalMs: 1000,
  /** Jobs handled per statement. */
  batchSize: 1000,
  /** Workers not seen for this long are dropped from the workers table. */
  forgetWorkersAfterMs: 10 * 60_000,
} as const

/**
 * The reaper: a running job whose lease ran out (its worker died, hung or lost the database) becomes
 * a failed attempt: back to pending after its backoff while attempts are left, else failed; cancelled
 * if a cancel was asked. Any number of processes may run it; SKIP LOCKED keeps them apart.
 */
export class Reaper {
  constructor(
    private readonly store: JobStore,
    private readonly logger: Logger,
    private readonly options: { batchSize?: number; forgetWorkersAfterMs?: number } = {},
  ) {}

  /** One pass; returns how many jobs it moved. */
  async runOnce(): Promise<number> {
    const batch = this.options.batchSize ?? REAPER_DEFAULTS.batchSize
    let total = 0
    for (;;) {
      const rows = await this.store.reapExpired(batch)
      total += rows
      if (rows < batch) break
    }
    await this.store.forgetStaleWorkers(this.options.forgetWorkersAfterMs ?? REAPER_DEFAULTS.forgetWorkersAfterMs)
    if (total > 0) this.logger.warn({ jobs: total }, 'reaped jobs whose lease expired')
    return total
  }
}
