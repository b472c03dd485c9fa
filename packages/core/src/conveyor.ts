import type { Logger } from 'pino'
import type { Db } from './db/db.ts'
import { migrate } from './db/migrate.ts'
import { PgAdapter } from './db/pg-adapter.ts'
import { PgliteAdapter } from './db/pglite-adapter.ts'
import { ConveyorError, ErrorCodes } from './errors.ts'
import { EventBus, type JobEventListener } from './events/event-bus.ts'
import type { EnqueueInput, ListFilter } from './jobs/input.ts'
import { type Job, toJob } from './jobs/job.ts'
import {
  type BulkAction,
  type EnqueueResult,
  type JobList,
  type JobStats,
  JobStore,
  type QueueInfo,
  type QueueLimits,
  type Scope,
  type StatsFilter,
  type WorkerInfo,
} from './jobs/job-store.ts'
import type { JobStatus } from './jobs/states.ts'
import { defaultLogger } from './logger.ts'
import { Cleaner, CLEANER_DEFAULTS } from './maintenance/cleaner.ts'
import { Maintenance } from './maintenance/maintenance.ts'
import { TABLE_STATS_INTERVAL_MS } from './jobs/table-stats.ts'
import { Reaper, REAPER_DEFAULTS } from './maintenance/reaper.ts'
import { type ConveyorOptions, parseOptions } from './options.ts'
import { type Schedule, type ScheduleInput, ScheduleStore } from './schedules/schedule-store.ts'
import { Scheduler, SCHEDULER_DEFAULTS } from './schedules/scheduler.ts'
import { MetricsStore } from './metrics/metrics-store.ts'
import { Rollup, ROLLUP_DEFAULTS } from './metrics/rollup.ts'
import { AlertStore } from './alerts/alert-store.ts'
import { AlertEvaluator, ALERTS_DEFAULTS } from './alerts/alert-evaluator.ts'
import { AuditLog } from './audit/audit-log.ts'
import { FileStore } from './files/file-store.ts'
import { buildInsertRow, insertedJob } from './jobs/job-store.ts'
import { type Handlers, Worker, type WorkerOptions } from './worker/worker.ts'
import { jsonText } from './jobs/json-text.ts'

/**
 * A Conveyor: jobs in PostgreSQL (or embedded PGlite), workers, maintenance and events.
 *
 * @example
 *   const conveyor = await Conveyor.open()                      // ./.conveyor (PGlite)
 *   const job = await conveyor.enqueue({ type: 'scan', payload: { url } })
 *   const worker = conveyor.work({ scan: async (job, ctx) => ({ ok: true }) })
 *   await worker.stop(); await conveyor.close()
 */
export class Conveyor {
  readonly jobs: JobStore
  readonly events: EventBus
  readonly reaper: Reaper
  readonly cleaner: Cleaner
  readonly schedules: ScheduleStore
  readonly scheduler: Scheduler
  readonly metrics: MetricsStore
  readonly rollup: Rollup
  readonly alerts: AlertStore
  readonly alertEvaluator: AlertEvaluator
  readonly audit: AuditLog
  readonly files: FileStore
  readonly #workers = new Set<Worker>()
  #maintenance: Maintenance | undefined
  #closed: Promise<void> | undefined

  private constructor(
    readonly db: Db,
    readonly schema: string,
    readonly logger: Logger,
    private readonly ownsDb: boolean,
    maxFileBytes?: number,
  ) {
    const channel = `conveyor_${schema}` // a plain identifier: PGlite does not quote LISTEN channels
    this.jobs = new JobStore(db, channel, schema)
    this.events = new EventBus(db, channel, logger)
    this.reaper = new Reaper(this.jobs, logger)
    this.files = new FileStore(db, schema, maxFileBytes)
    this.cleaner = new Cleaner(this.jobs, logger, { files: this.files })
    this.schedules = new ScheduleStore(db, channel, schema)
    this.scheduler = new Scheduler(this.schedules, logger.child({ component: 'scheduler' }))
    this.metrics = new MetricsStore(db, this.jobs, schema)
    this.rollup = new Rollup(db, schema, logger)
    this.alerts = new AlertStore(db, schema)
    this.alertEvaluator = new AlertEvaluator(db, this.alerts, this.schedules, logger.child({ component: 'alerts' }))
    this.audit = new AuditLog(db, schema)
  }

  /** Opens the database (migrating it unless `migrate: false`) and starts maintenance. */
  static async open(options: ConveyorOptions = {}): Promise<Conveyor> {
    const o = parseOptions(options)
    const logger = options.logger ?? defaultLogger(o.logLevel)
    const db =
      options.db ??
      (o.databaseUrl
        ? new PgAdapter({ connectionString: o.databaseUrl, max: o.poolSize, logger })
        : await PgliteAdapter.open(o.dataDir))
    const conveyor = new Conveyor(db, o.schema, logger, !options.db, options.maxFileBytes)
    try {
      if (o.migrate) await migrate(db, o.schema, logger)
    } catch (err) {
      await conveyor.close()
      throw err
    }
    const m = options.maintenance ?? true
    if (m !== false) {
      const cfg = m === true ? {} : m
      const cleaner = cfg.retentionMs ? new Cleaner(conveyor.jobs, logger, { retentionMs: cfg.retentionMs, files: conveyor.files }) : conveyor.cleaner
      conveyor.#maintenance = new Maintenance(
        [
          { name: 'reaper', service: conveyor.reaper, intervalMs: cfg.reaperIntervalMs ?? REAPER_DEFAULTS.intervalMs },
          { name: 'cleaner', service: cleaner, intervalMs: cfg.cleanerIntervalMs ?? CLEANER_DEFAULTS.intervalMs },
          { name: 'rollup', service: conveyor.rollup, intervalMs: ROLLUP_DEFAULTS.intervalMs },
          { name: 'alerts', service: conveyor.alertEvaluator, intervalMs: ALERTS_DEFAULTS.intervalMs },
          // ANALYZE (PGlite: VACUUM ANALYZE) once a fifth of the jobs table changed; a no-op otherwise.
          { name: 'statistics', service: conveyor.jobs.tableStats, intervalMs: TABLE_STATS_INTERVAL_MS },
          ...(cfg.scheduler === false
            ? []
            : [{ name: 'scheduler', service: conveyor.scheduler, intervalMs: cfg.schedulerIntervalMs ?? SCHEDULER_DEFAULTS.intervalMs }]),
        ],
        logger,
      )
      conveyor.#maintenance.start()
    }
    return conveyor
  }

  /** Enqueues one job and returns it (an earlier job with the same owner and idempotencyKey, if any). */
  async enqueue<P = unknown>(input: EnqueueInput & { payload?: P }): Promise<Job<P>> {
    return (await this.submit(input)).job as Job<P>
  }

  /** Enqueues many jobs in one round trip per 5000; all are validated before any is written. */
  async enqueueMany(inputs: readonly EnqueueInput[]): Promise<Job[]> {
    this.#open()
    return (await this.jobs.enqueueMany(inputs)).map((r) => r.job)
  }

  /** Like enqueue, and says whether the job is an earlier one with the same idempotency key. */
  submit(input: EnqueueInput): Promise<EnqueueResult> {
    this.#open()
    if (input.files?.length) return this.#enqueueWithFiles(input, input.files)
    return this.jobs.enqueue(input)
  }

  /**
   * The job and the attachment of its uploaded files in one transaction: both or neither. When an
   * earlier job holds the idempotency key, the answer is that job (duplicate) and the uploads named
   * are deleted in the same transaction, not attached and not left behind; the earlier job keeps its
   * own files (a retry naming the same ids finds them attached to it already).
   */
  async #enqueueWithFiles(input: EnqueueInput, files: string[]): Promise<EnqueueResult> {
    const row = buildInsertRow(input)
    const owner = input.owner ?? null
    // The holder of the key may be deleted between the insert and the look-up: then insert again.
    for (;;) {
      const result = await this.db.transaction(async (tx): Promise<EnqueueResult | null> => {
        const [jobRow] = await tx.query<Record<string, unknown>>(this.jobs.q.jobInsertMany, [jsonText([row]), this.jobs.channel])
        if (jobRow) {
          await this.files.attach(tx, files, jobRow.id as string, owner)
          return { job: insertedJob(row, jobRow), duplicate: false }
        }
        const key = JSON.stringify([{ owner, idempotency_key: row.idempotency_key }])
        const [earlier] = await tx.query<Record<string, unknown>>(this.jobs.q.jobGetByIdempotencyKeys, [key])
        if (!earlier) return null
        await this.files.discard(tx, files, owner)
        return { job: toJob(earlier), duplicate: true }
      })
      if (result) return result
    }
  }

  /** One job with its attempt log, or null. */
  getJob(id: string, scope?: Scope): Promise<Job | null> {
    return this.jobs.get(id, scope)
  }

  listJobs(filter?: ListFilter, scope?: Scope): Promise<JobList> {
    return this.jobs.list(filter, scope)
  }

  stats(filter?: StatsFilter, scope?: Scope): Promise<JobStats> {
    return this.jobs.stats(filter, scope)
  }

  /** Pending → cancelled at once; running → its handler's signal fires and the job ends cancelled. */
  cancel(id: string, scope?: Scope): Promise<Job> {
    return this.jobs.cancel(id, scope)
  }

  /** Completed, failed or cancelled → pending, with attempts starting again at 0. */
  retry(id: string, scope?: Scope): Promise<Job> {
    return this.jobs.retry(id, scope)
  }

  /** Deletes one job that is not running. */
  remove(id: string, scope?: Scope): Promise<void> {
    return this.jobs.remove(id, scope)
  }

  purge(options?: { status?: JobStatus[]; olderThan?: Date | string }, scope?: Scope): Promise<number> {
    return this.jobs.purge(options, scope)
  }

  bulk(action: BulkAction, scope?: Scope): Promise<number> {
    return this.jobs.bulk(action, scope)
  }

  pauseQueue(name: string) {
    return this.jobs.setQueuePaused(name, true)
  }

  resumeQueue(name: string) {
    return this.jobs.setQueuePaused(name, false)
  }

  /**
   * Fair sharing between owners in a queue: at most `ownerConcurrency` running jobs per owner, at most
   * `ownerEnqueuesPerMinute` enqueues per owner (null: no limit).
   */
  setQueueLimits(name: string, limits: QueueLimits) {
    return this.jobs.setQueueLimits(name, limits)
  }

  listQueues(): Promise<QueueInfo[]> {
    return this.jobs.listQueues()
  }

  listWorkers(): Promise<WorkerInfo[]> {
    return this.jobs.listWorkers()
  }

  /**
   * Creates or replaces a schedule by name, so schedules can be declared in code at start-up. Every
   * process running maintenance (the default) fires its ticks, each exactly once.
   *
   * @example
   *   await conveyor.schedule({ name: 'nightly-report', cron: '0 2 * * *', timezone: 'Europe/London', type: 'report' })
   */
  schedule(input: ScheduleInput): Promise<Schedule> {
    this.#open()
    return this.schedules.upsert(input)
  }

  /** Receives every job event (state changes and progress) of this schema, from any process. */
  subscribe(listener: JobEventListener): Promise<() => void> {
    return this.events.subscribe(listener)
  }

  /**
   * Starts a worker running `handlers` (by job type) in this process.
   *
   * @example
   *   const worker = conveyor.work({ scan: async (job, ctx) => { await ctx.progress(50); return { ok: 1 } } },
   *     { concurrency: 10, queues: ['default'] })
   */
  work(handlers: Handlers, options: WorkerOptions = {}): Worker {
    this.#open()
    if (Object.keys(handlers).length === 0) throw new ConveyorError(ErrorCodes.invalidInput, 'work() needs at least one handler')
    const worker = new Worker(this.jobs, this.events, handlers, options, this.logger.child({ component: 'worker' }), this.files)
    this.#workers.add(worker)
    const stop = worker.stop.bind(worker)
    worker.stop = (o) => stop(o).finally(() => this.#workers.delete(worker))
    return worker
  }

  /** The workers started by work() and not yet stopped. */
  get workers(): readonly Worker[] {
    return [...this.#workers]
  }

  /** Stops this instance's workers (gracefully) and maintenance, then closes the database. */
  close(): Promise<void> {
    this.#closed ??= (async () => {
      await Promise.all([...this.#workers].map((w) => w.stop()))
      await this.#maintenance?.stop()
      await this.events.close()
      if (this.ownsDb) await this.db.close()
    })()
    return this.#closed
  }

  #open() {
    if (this.#closed) throw new ConveyorError(ErrorCodes.closed, 'this Conveyor is closed')
  }
}
