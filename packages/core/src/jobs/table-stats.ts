import type { Db } from '../db/db.ts'
import type { Queries } from './queries.ts'

/** Re-analyze once the rows changed since the last ANALYZE reach this share of the table, … */
const CHANGED_SHARE = 0.2
/** … or the rows inserted reach the pending jobs it counted (their number may have doubled); … */
const MIN_CHANGED = 1000
/** … but spend at most a tenth of the time analyzing, and never more than once a second. */
const DUTY = 10
const MIN_INTERVAL_MS = 1000
/** How often maintenance looks (no query on PGlite; one statistics-view read on PostgreSQL). */
export const TABLE_STATS_INTERVAL_MS = 5000

interface Counts {
  /** Rows changed since the last ANALYZE. */
  modified: number
  /** Rows inserted ever (a running total: the difference since the last ANALYZE is what counts). */
  inserted: number
}

/**
 * Keeps the planner's statistics of the jobs table current. A job table swings from almost all
 * finished to thousands pending within seconds, and the plans of the fair claim depend on knowing
 * which: with statistics from before a flood (pending rare), PostgreSQL walked the owners through
 * the wrong index, sorting every pending job per owner — 690 ms per claim of 50 instead of 11 ms
 * (EXPLAIN ANALYZE, 20,000 pending jobs of 100 owners), a drain at 146 jobs/s. PostgreSQL's
 * autovacuum re-analyzes within a minute or more, and only after a tenth of the table changed;
 * PGlite has no autovacuum at all (single-user mode), so without this its tables are never analyzed
 * nor vacuumed.
 *
 * What changed comes from PostgreSQL's statistics views (every process's changes), or on PGlite,
 * which does not keep them, from this process's own count (`note`: the only process there is).
 * `refresh()` runs ANALYZE (VACUUM ANALYZE on PGlite, which also reclaims the dead row versions
 * claims and completions leave) when a fifth of the table changed or the inserts since the last one
 * reach the pending jobs it saw.
 */
export class TableStats {
  #local: Counts = { modified: 0, inserted: 0 }
  /** At the last ANALYZE: the table's rows, its pending jobs, and the insert total. */
  #last = { rows: 0, pending: 0, inserted: 0 }
  #nextAt = 0
  #running: Promise<boolean> | undefined

  constructor(
    private readonly db: Db,
    private readonly q: Queries,
  ) {}

  /** Counts rows this process inserted (`inserted`) and changed in the jobs table (PGlite's count). */
  note(changed: number, inserted = 0): void {
    this.#local.modified += changed
    this.#local.inserted += inserted
  }

  /** Analyzes the jobs table if its statistics are stale; resolves true if it did. */
  refresh(): Promise<boolean> {
    if (this.#running) return this.#running
    if (Date.now() < this.#nextAt) return Promise.resolve(false)
    this.#running = this.#refresh().finally(() => (this.#running = undefined))
    return this.#running
  }

  /** The maintenance service's pass. */
  runOnce(): Promise<boolean> {
    return this.refresh()
  }

  async #refresh(): Promise<boolean> {
    const t0 = Date.now()
    this.#nextAt = t0 + MIN_INTERVAL_MS
    const counts = await this.#counts()
    const inserted = counts.inserted - this.#last.inserted
    const stale =
      counts.modified >= Math.max(MIN_CHANGED, CHANGED_SHARE * this.#last.rows) || inserted >= Math.max(MIN_CHANGED, this.#last.pending)
    if (!stale) return false
    await this.db.exec(this.db.kind === 'pglite' ? this.q.jobsVacuumAnalyze : this.q.jobsAnalyze)
    const [row] = await this.db.query<{ rows: number; pending: number }>(this.q.jobsRowEstimate)
    this.#last = { rows: row?.rows ?? 0, pending: row?.pending ?? 0, inserted: counts.inserted }
    if (this.db.kind === 'pglite') this.#local.modified -= counts.modified
    this.#nextAt = Date.now() + Math.max(MIN_INTERVAL_MS, DUTY * (Date.now() - t0))
    return true
  }

  async #counts(): Promise<Counts> {
    if (this.db.kind === 'pglite') return { ...this.#local }
    const [row] = await this.db.query<Counts>(this.q.jobsChangeCounts)
    return row ?? { modified: 0, inserted: 0 }
  }
}
