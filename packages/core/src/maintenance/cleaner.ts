import type { Logger } from 'pino'
import type { JobStore } from '../jobs/job-store.ts'
import type { JobStatus } from '../jobs/states.ts'

const DAY = 24 * 3600 * 1000

export const CLEANER_DEFAULTS = {
  intervalMs: 60_000,
  batchSize: 5000,
  /** How long finished jobs are kept, by final status. */
  retentionMs: { completed: 7 * DAY, failed: 30 * DAY, cancelled: 30 * DAY },
} as const

export type Retention = Partial<Record<'completed' | 'failed' | 'cancelled', number>>

/** The cleaner: deletes finished jobs older than their retention, in batches so no statement runs long. */
export class Cleaner {
  constructor(
    private readonly store: JobStore,
    private readonly logger: Logger,
    private readonly options: { retentionMs?: Retention; batchSize?: number } = {},
  ) {}

  /** One pass; returns how many jobs it deleted. */
  async runOnce(): Promise<number> {
    const batch = this.options.batchSize ?? CLEANER_DEFAULTS.batchSize
    let total = 0
    for (const status of ['completed', 'failed', 'cancelled'] as const satisfies JobStatus[]) {
      const keep = this.options.retentionMs?.[status] ?? CLEANER_DEFAULTS.retentionMs[status]
      for (;;) {
        const n = await this.store.deleteFinished(status, keep, batch)
        total += n
        if (n < batch) break
      }
    }
    if (total > 0) this.logger.info({ jobs: total }, 'deleted finished jobs past their retention')
    return total
  }
}
