import type { Logger } from 'pino'
import type { JobStore } from '../jobs/job-store.ts'
import type { JobStatus } from '../jobs/states.ts'
import type { FileStore } from '../files/file-store.ts'

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
    private readonly options: { retentionMs?: Retention; batchSize?: number; files?: FileStore } = {},
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
    // A job's files go with it (ON DELETE CASCADE); uploads never attached to a job go after a day.
    const uploads = (await this.options.files?.deleteUnattached()) ?? 0
    if (total > 0 || uploads > 0) this.logger.info({ jobs: total, uploads }, 'deleted finished jobs past their retention')
    return total
  }
}
