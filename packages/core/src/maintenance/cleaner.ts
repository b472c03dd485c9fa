import type { Logger } from 'pino'
import { ConveyorError, ErrorCodes } from '../errors.ts'
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

/** Milliseconds to keep finished jobs of each status; `Infinity` keeps them for ever. */
export type Retention = Partial<Record<'completed' | 'failed' | 'cancelled', number>>

/** The longest finite retention: a century (PostgreSQL's intervals and timestamps overflow not far past). */
const MAX_RETENTION_MS = 100 * 365 * DAY

/** The cleaner: deletes finished jobs older than their retention, in batches so no statement runs long. */
export class Cleaner {
  constructor(
    private readonly store: JobStore,
    private readonly logger: Logger,
    private readonly options: { retentionMs?: Retention; batchSize?: number; files?: FileStore } = {},
  ) {
    // Checked here, once: a value PostgreSQL cannot turn into an interval failed every pass, and a
    // pass stops at its first error (the other statuses and the old uploads were never cleaned).
    for (const [status, ms] of Object.entries(options.retentionMs ?? {}))
      if (ms !== Infinity && !(Number.isInteger(ms) && ms >= 0 && ms <= MAX_RETENTION_MS))
        throw new ConveyorError(ErrorCodes.config, `retentionMs.${status} must be a whole number of milliseconds from 0 to ${MAX_RETENTION_MS} (100 years), or Infinity to keep them for ever`)
  }

  /** One pass; returns how many jobs it deleted. */
  async runOnce(): Promise<number> {
    const batch = this.options.batchSize ?? CLEANER_DEFAULTS.batchSize
    let total = 0
    for (const status of ['completed', 'failed', 'cancelled'] as const satisfies JobStatus[]) {
      const keep = this.options.retentionMs?.[status] ?? CLEANER_DEFAULTS.retentionMs[status]
      if (keep === Infinity) continue
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
