import { hostname } from 'node:os'
import { newId } from '../ids.ts'
import { Batcher } from '../batcher.ts'
import type { Db } from '../db/db.ts'
import { ConveyorError, ErrorCodes, type ErrorInfo, translatePgError } from '../errors.ts'
import { type EnqueueInput, enqueueInputSchema, LIMITS, type ListFilter, listFilterSchema, parseInput } from './input.ts'
import { type Job, jobFromJson, toJob } from './job.ts'
import { TableStats } from './table-stats.ts'
import { buildQueries, type Queries, type SortName } from './queries.ts'
import { FINAL_STATUSES, type JobStatus, TRANSITIONS, type Transition } from './states.ts'
import { jsonText, toJsonText } from './json-text.ts'

export interface EnqueueResult {
  job: Job
  /** True when an earlier job with the same owner and idempotencyKey was returned instead. */
  duplicate: boolean
}

/** Operations scoped to one owner (a user token) see and touch only that owner's jobs. */
export interface Scope {
  owner?: string | null
}

export interface JobList {
  jobs: Job[]
  /** How many jobs match the filter in all. */
  count: number
  /** Pass as `cursor` for the next page; null on the last page. */
  nextCursor: string | null
}

export interface JobStats {
  pending: number
  /** Of the pending: those whose runAt is still ahead. */
  scheduled: number
  running: number
  completed: number
  failed: number
  cancelled: number
  total: number
}

export interface StatsFilter {
  queue?: string
  type?: string
  owner?: string
  metadata?: Record<string, string | number | boolean>
}

export interface BulkAction {
  action: 'retry' | 'cancel' | 'delete'
  ids?: string[]
  filter?: Omit<ListFilter, 'sort' | 'limit' | 'offset' | 'cursor'>
}

export interface ClaimOptions {
  workerId: string
  queues?: readonly string[] | null
  types?: readonly string[] | null
  limit: number
  leaseMs: number
}

export interface Completion {
  id: string
  attempt?: number | null
  result?: unknown
}

export interface Failure {
  id: string
  attempt?: number | null
  error: ErrorInfo
  retryable: boolean
  outcome?: 'failed' | 'timeout' | 'cancelled'
}

export interface ProgressUpdate {
  id: string
  attempt?: number | null
  progress: number
  message?: string | null
}

type Row = Record<string, unknown>

export interface WorkerInfo {
  id: string
  queues: string[]
  types: string[]
  concurrency: number
  runningJobs: number
  hostname: string | null
  pid: number | null
  startedAt: Date
  lastSeenAt: Date
}

/** Fair sharing between owners in one queue; null means no limit. */
export interface QueueLimits {
  /** At most this many running jobs per owner at once. */
  ownerConcurrency: number | null
  /** At most this many enqueues per owner per minute (rate_limited beyond). */
  ownerEnqueuesPerMinute: number | null
}

const LIMITS_CACHE_MS = 1000

export interface QueueInfo {
  name: string
  paused: boolean
  pending: number
  running: number
  completed: number
  failed: number
  cancelled: number
  /** runAt of the oldest job ready to run, if any. */
  oldestPendingAt: Date | null
}

/**
 * The job operations over one schema. Each moves jobs by one transition of jobs/states.ts with a
 * guarded statement, and explains a refused one (job_not_found or invalid_transition).
 */
export class JobStore {
  readonly q: Queries
  /** Counts this store's changes to the jobs table and re-analyzes it when they add up. */
  readonly tableStats: TableStats
  /** The texts of the statements run as prepared statements (PREPARED). */
  readonly #prepared: Set<string>
  readonly #insertBatcher: Batcher<Row, EnqueueResult>
  readonly #getBatcher: Batcher<string, Job | null>
  #limits: { at: number; map: Promise<Map<string, QueueLimits>> } | undefined

  constructor(
    private readonly db: Db,
    readonly channel: string,
    schema: string,
  ) {
    this.q = buildQueries(schema)
    this.#prepared = new Set(PREPARED.map((name) => this.q[name]))
    this.tableStats = new TableStats(db, this.q)
    // Concurrent enqueue() calls share one INSERT (group commit); see batcher.ts.
    this.#insertBatcher = new Batcher((rows) => this.#insertRows(rows), { maxBatch: 1000 })
    // Concurrent get() calls (an API under load) share one SELECT … WHERE id = ANY($1): one round trip
    // for many reads. Measured with `npm run bench` (API get-by-id, 50 connections).
    this.#getBatcher = new Batcher(async (ids) => {
      const rows = await this.#run<Row>(this.q.jobGetMany, [[...new Set(ids)]])
      const byId = new Map(rows.map((r) => [r.id as string, r]))
      return ids.map((id) => {
        const row = byId.get(id)
        return row ? toJob(row) : null
      })
    }, { maxBatch: 500 })
  }

  /** Validates and enqueues one job; concurrent calls are written together. */
  async enqueue(input: EnqueueInput): Promise<EnqueueResult> {
    const row = toInsertRow(parseInput(enqueueInputSchema, input, 'job'))
    await this.#checkOwnerRates([row])
    try {
      return await this.#insertBatcher.add(row)
    } catch (err) {
      // A statement that failed for the whole batch is retried for this job alone, so one bad job
      // never fails the others it happened to share a statement with.
      if (err instanceof ConveyorError && err.code === ErrorCodes.invalidInput) {
        const [one] = await this.#insertRows([row])
        return one as EnqueueResult
      }
      throw err
    }
  }

  /** Validates every job first (nothing is written if one is bad), then writes them in one statement per 5000. */
  async enqueueMany(inputs: readonly EnqueueInput[]): Promise<EnqueueResult[]> {
    if (inputs.length > LIMITS.batch)
      throw new ConveyorError(ErrorCodes.invalidInput, `at most ${LIMITS.batch} jobs per batch (got ${inputs.length})`)
    const rows = inputs.map((input, i) => toInsertRow(parseInput(enqueueInputSchema, input, `job at index ${i}`)))
    await this.#checkOwnerRates(rows)
    const out: EnqueueResult[] = []
    for (let i = 0; i < rows.length; i += 5000) out.push(...(await this.#insertRows(rows.slice(i, i + 5000))))
    return out
  }

  /**
   * Refuses (rate_limited, with retryAfterSeconds) enqueues past a queue's per-owner limit per minute,
   * counted from the jobs table so every server agrees. Two servers admitting at the same instant can
   * overshoot by the few jobs in flight; the limit is a fairness guard, not a quota.
   */
  async #checkOwnerRates(rows: Row[]): Promise<void> {
    const limits = await this.queueLimits()
    if (limits.size === 0) return
    const wanted = new Map<string, { owner: string; queue: string; count: number; limit: number }>()
    for (const r of rows) {
      const queue = (r.queue as string | null) ?? 'default'
      const limit = limits.get(queue)?.ownerEnqueuesPerMinute
      if (!limit || !r.owner) continue
      const key = JSON.stringify([r.owner, queue])
      const w = wanted.get(key) ?? { owner: r.owner as string, queue, count: 0, limit }
      w.count++
      wanted.set(key, w)
    }
    if (wanted.size === 0) return
    const counts = await this.#run<{ owner: string; queue: string; n: number; oldest: Date | null }>(this.q.jobOwnerRecentCount, [
      JSON.stringify([...wanted.values()].map(({ owner, queue }) => ({ owner, queue }))),
    ])
    for (const c of counts) {
      const w = wanted.get(JSON.stringify([c.owner, c.queue]))!
      if (c.n + w.count > w.limit) {
        const retryAfterSeconds = Math.max(1, Math.ceil((60_000 - (Date.now() - (c.oldest?.getTime() ?? Date.now()))) / 1000))
        throw new ConveyorError(
          ErrorCodes.rateLimited,
          `owner ${c.owner} may enqueue at most ${w.limit} jobs per minute in queue ${c.queue}; retry in ${retryAfterSeconds} s`,
          { details: { retryAfterSeconds, limit: w.limit, owner: c.owner, queue: c.queue } },
        )
      }
    }
  }

  async #insertRows(rows: Row[]): Promise<EnqueueResult[]> {
    if (rows.length === 0) return []
    let inserted: Row[]
    if (rows.length === 1) inserted = await this.#run<Row>(this.q.jobInsertOne, [...insertParams(rows[0]!), this.channel])
    else {
      const json = toJsonText(rows)
      inserted = await this.#run<Row>(this.q.jobInsertMany, [json.text, this.channel])
      // A NUL or lone surrogate in a payload or metadata was stored as U+FFFD: answer what was stored.
      if (json.changed) rows = JSON.parse(json.text) as Row[]
    }
    this.tableStats.note(inserted.length, inserted.length)
    const byId = new Map(inserted.map((r) => [r.id as string, r]))
    const results: (EnqueueResult | undefined)[] = rows.map((r) => {
      const returned = byId.get(r.id as string)
      return returned ? { job: insertedJob(r, returned), duplicate: false } : undefined
    })
    const missing = rows.flatMap((r, i) => (results[i] ? [] : [{ i, owner: r.owner ?? null, idempotency_key: r.idempotency_key }]))
    if (missing.length > 0) {
      const existing = await this.#run<Row>(this.q.jobGetByIdempotencyKeys, [JSON.stringify(missing)])
      const byKey = new Map(existing.map((r) => [keyOf(r.owner, r.idempotency_key), toJob(r)]))
      const retry: Row[] = []
      for (const m of missing) {
        const job = byKey.get(keyOf(m.owner, m.idempotency_key))
        if (job) results[m.i] = { job, duplicate: true }
        else retry.push(rows[m.i] as Row) // the holder of the key was deleted in between: insert again
      }
      if (retry.length > 0) {
        const again = await this.#insertRows(retry)
        let k = 0
        for (let i = 0; i < results.length; i++) if (!results[i]) results[i] = again[k++]
      }
    }
    return results as EnqueueResult[]
  }

  async get(id: string, scope: Scope = {}): Promise<Job | null> {
    if (!isUuid(id)) return null
    const job = await this.#getBatcher.add(id.toLowerCase())
    // The owner scope is checked here rather than in SQL so that gets of many owners share a statement.
    if (!job || (scope.owner != null && job.owner !== scope.owner)) return null
    return job
  }

  async list(filter: ListFilter = {}, scope: Scope = {}): Promise<JobList> {
    const f = parseInput(listFilterSchema, filter, 'list filter')
    const sort: SortName = f.sort ?? 'newest'
    const limit = f.limit ?? 50
    let cursor: { t: string; p: number; id: string } | null = null
    if (f.cursor) cursor = decodeCursor(f.cursor, sort)
    const where = filterParams(f, scope)
    const [rows, countRows] = await Promise.all([
      this.#run<Row>(this.q.jobList(sort), [
        ...where,
        limit + 1,
        cursor ? 0 : (f.offset ?? 0),
        cursor ? JSON.stringify(cursor) : null,
      ]),
      this.#run<{ n: number }>(this.q.jobCount, where),
    ])
    const more = rows.length > limit
    const jobs = rows.slice(0, limit).map(toJob)
    const last = jobs.at(-1)
    return {
      jobs,
      count: countRows[0]?.n ?? 0,
      nextCursor: more && last ? encodeCursor(sort, last) : null,
    }
  }

  async stats(filter: StatsFilter = {}, scope: Scope = {}): Promise<JobStats> {
    const rows = await this.#run<{ status: JobStatus; n: number; scheduled: number }>(
      this.q.jobStats,
      filterParams({ ...filter }, scope),
    )
    const stats: JobStats = { pending: 0, scheduled: 0, running: 0, completed: 0, failed: 0, cancelled: 0, total: 0 }
    for (const r of rows) {
      stats[r.status] = r.n
      stats.total += r.n
      stats.scheduled += r.scheduled
    }
    return stats
  }

  async cancel(id: string, scope: Scope = {}): Promise<Job> {
    return this.#transition('cancel', id, scope, this.q.jobCancel)
  }

  async retry(id: string, scope: Scope = {}): Promise<Job> {
    return this.#transition('retry', id, scope, this.q.jobRetry)
  }

  async remove(id: string, scope: Scope = {}): Promise<void> {
    if (isUuid(id)) {
      const rows = await this.#run(this.q.jobDelete, [id, scope.owner ?? null])
      if (rows.length > 0) return
    }
    await this.#explain('remove', id, scope)
  }

  /** Deletes finished jobs (by default the completed ones), optionally only those finished before olderThan. */
  async purge(options: { status?: JobStatus[]; olderThan?: Date | string } = {}, scope: Scope = {}): Promise<number> {
    const status = options.status ?? ['completed']
    const bad = status.filter((s) => !(TRANSITIONS.remove.from as readonly string[]).includes(s))
    if (bad.length > 0)
      throw new ConveyorError(ErrorCodes.invalidInput, `cannot purge ${bad.join(', ')} jobs: running jobs must be cancelled first`, {
        details: [{ path: 'status', message: `not purgeable: ${bad.join(', ')}` }],
      })
    const olderThan = options.olderThan === undefined ? null : toDate(options.olderThan, 'olderThan')
    const [row] = await this.#run<{ n: number }>(this.q.jobPurge, [...filterParams({ status }, scope), olderThan])
    return row?.n ?? 0
  }

  /** Retry, cancel or delete many jobs, chosen by ids, by a filter, or both (ids within the filter). */
  async bulk(action: BulkAction, scope: Scope = {}): Promise<number> {
    if (!action.ids && !action.filter)
      throw new ConveyorError(ErrorCodes.invalidInput, 'a bulk action needs ids or a filter (use filter: {} for every job)')
    const filter = parseInput(listFilterSchema, action.filter ?? {}, 'bulk filter')
    const ids = action.ids ? action.ids.filter(isUuid) : null
    const params = [...filterParams(filter, scope), ids]
    if (action.action === 'delete') {
      const [row] = await this.#run<{ n: number }>(this.q.jobBulkDelete, params)
      return row?.n ?? 0
    }
    const sql = action.action === 'retry' ? this.q.jobBulkRetry : this.q.jobBulkCancel
    return (await this.#run(sql, [...params, this.channel])).length
  }

  // ---- the worker's side: claim, heartbeat, progress, complete, fail, release, all fenced ----

  /**
   * Per-queue fairness limits (queues table), read at most once a second: the claim's fast path must
   * not pay a query per claim to learn that no limits are set.
   */
  queueLimits(): Promise<Map<string, QueueLimits>> {
    const now = Date.now()
    // The promise is cached, not its result: concurrent enqueues share the one read in flight.
    if (this.#limits && now - this.#limits.at < LIMITS_CACHE_MS) return this.#limits.map
    const map = this.#run<{ name: string; owner_concurrency: number | null; owner_enqueues_per_minute: number | null }>(
      this.q.queueLimitsList,
      [],
    ).then((rows) => new Map(rows.map((r) => [r.name, { ownerConcurrency: r.owner_concurrency, ownerEnqueuesPerMinute: r.owner_enqueues_per_minute }])))
    this.#limits = { at: now, map }
    map.catch(() => {
      if (this.#limits?.map === map) this.#limits = undefined
    })
    return map
  }

  /** Sets a queue's fairness limits (null: none). Takes effect in every process within a second. */
  async setQueueLimits(name: string, limits: QueueLimits): Promise<QueueLimits & { name: string }> {
    if (typeof name !== 'string' || name.length < 1 || name.length > LIMITS.name)
      throw new ConveyorError(ErrorCodes.invalidInput, `queue name must be 1 to ${LIMITS.name} characters`)
    const [row] = await this.#run<{ name: string; owner_concurrency: number | null; owner_enqueues_per_minute: number | null }>(
      this.q.queueSetLimits,
      [name, limits.ownerConcurrency ?? null, limits.ownerEnqueuesPerMinute ?? null],
    )
    this.#limits = undefined
    return { name: row!.name, ownerConcurrency: row!.owner_concurrency, ownerEnqueuesPerMinute: row!.owner_enqueues_per_minute }
  }

  /**
   * Claims up to `limit` jobs. Queues without an owner limit go through one fast statement; a queue
   * with one goes through the fair claim (one transaction per such queue). A claim naming no queues
   * (any queue) takes the fast path: fairness applies to workers that name their queues.
   */
  async claim(o: ClaimOptions): Promise<Job[]> {
    const limits = o.queues ? await this.queueLimits() : undefined
    const fair = o.queues && limits && limits.size > 0 ? o.queues.filter((q) => limits.get(q)?.ownerConcurrency) : []
    if (fair.length === 0) return this.#claimFast(o)
    const fast = o.queues!.filter((q) => !fair.includes(q))
    const jobs = fast.length > 0 ? await this.#claimFast({ ...o, queues: fast }) : []
    for (const queue of fair) {
      const left = o.limit - jobs.length
      if (left <= 0) break
      jobs.push(...(await this.#claimFair(o, queue, left, limits!.get(queue)!.ownerConcurrency!)))
    }
    return jobs
  }

  async #claimFair(o: ClaimOptions, queue: string, limit: number, perOwner: number): Promise<Job[]> {
    // The fair claim's plan needs statistics that know how many jobs are pending (table-stats.ts).
    await this.tableStats.refresh()
    try {
      const rows = await this.db.transaction(async (tx) => {
        await tx.query(this.q.queueFairLock, [`conveyor-fair:${this.channel}:${queue}`])
        return tx.query<{ job: string }>(this.q.jobClaimFair, [o.workerId, queue, o.types ?? null, limit, o.leaseMs, this.channel, perOwner])
      })
      this.tableStats.note(rows.length)
      return rows.map((r) => jobFromJson(r.job))
    } catch (err) {
      throw translatePgError(err)
    }
  }

  async #claimFast(o: ClaimOptions): Promise<Job[]> {
    const rows = await this.#run<{ job: string }>(this.q.jobClaim, [
      o.workerId,
      o.queues ?? null,
      o.types ?? null,
      o.limit,
      o.leaseMs,
      this.channel,
    ])
    this.tableStats.note(rows.length)
    return rows.map((r) => jobFromJson(r.job))
  }

  /** Returns, for each job still held, whether a cancel was asked; jobs missing from it were lost. */
  async heartbeat(workerId: string, jobs: { id: string; attempt?: number | null }[], leaseMs: number) {
    if (jobs.length === 0) return new Map<string, boolean>()
    const rows = await this.#run<{ id: string; cancel_requested: boolean }>(this.q.jobHeartbeat, [
      workerId,
      jobs.map((j) => j.id),
      jobs.map((j) => j.attempt ?? null),
      leaseMs,
    ])
    return new Map(rows.map((r) => [r.id, r.cancel_requested]))
  }

  /** Returns the ids whose progress was written (the others are no longer held by this worker). */
  async progress(workerId: string, updates: ProgressUpdate[]): Promise<Set<string>> {
    if (updates.length === 0) return new Set()
    const rows = await this.#run<{ id: string }>(this.q.jobProgressMany, [workerId, jsonText(updates), this.channel])
    return new Set(rows.map((r) => r.id))
  }

  /** Returns the ids completed; any other was not held by this worker's current attempt (fenced out). */
  async complete(workerId: string, completions: Completion[]): Promise<Set<string>> {
    if (completions.length === 0) return new Set()
    const input = completions.map((c) => ({ id: c.id, attempt: c.attempt ?? null, result: c.result ?? null }))
    const rows = await this.#run<{ id: string }>(this.q.jobCompleteMany, [workerId, jsonText(input), this.channel])
    this.tableStats.note(rows.length)
    return new Set(rows.map((r) => r.id))
  }

  /** Returns each failed job's new status (pending to retry, failed, cancelled) by id. */
  async fail(workerId: string, failures: Failure[]): Promise<Map<string, JobStatus>> {
    if (failures.length === 0) return new Map()
    const input = failures.map((f) => ({
      id: f.id,
      attempt: f.attempt ?? null,
      error: f.error,
      retryable: f.retryable,
      outcome: f.outcome ?? 'failed',
    }))
    const rows = await this.#run<{ id: string; status: JobStatus }>(this.q.jobFailMany, [workerId, jsonText(input), this.channel])
    this.tableStats.note(rows.length)
    return new Map(rows.map((r) => [r.id, r.status]))
  }

  /** Hands running jobs back (pending, the attempt not counted); `attempt` fences a single job's release. */
  async release(workerId: string, ids: string[], attempt?: number | null): Promise<string[]> {
    if (ids.length === 0) return []
    const rows = await this.#run<{ id: string }>(this.q.jobRelease, [workerId, ids, this.channel, attempt ?? null])
    return rows.map((r) => r.id)
  }

  /** Fetches one job for the worker's side (after a fenced update was refused, to say why). */
  async status(id: string, scope: Scope = {}): Promise<JobStatus | null> {
    if (!isUuid(id)) return null
    const [row] = await this.#run<{ status: JobStatus }>(this.q.jobStatusGet, [id, scope.owner ?? null])
    return row?.status ?? null
  }

  // ---- maintenance ----

  /** Ends the attempts of up to `limit` running jobs whose lease ran out; returns how many. */
  async reapExpired(limit: number): Promise<number> {
    return (await this.#run(this.q.jobReapExpired, [limit, this.channel])).length
  }

  async deleteFinished(status: 'completed' | 'failed' | 'cancelled', olderThanMs: number, limit: number): Promise<number> {
    const [row] = await this.#run<{ n: number }>(this.q.jobDeleteFinished, [status, olderThanMs, limit])
    this.tableStats.note(row?.n ?? 0)
    return row?.n ?? 0
  }

  async forgetStaleWorkers(olderThanMs: number): Promise<void> {
    await this.#run(this.q.workerDeleteStale, [olderThanMs])
  }

  // ---- workers and queues ----

  async registerWorker(w: { id: string; queues: readonly string[] | null; types: readonly string[] | null; concurrency: number; running: number }) {
    await this.#run(this.q.workerUpsert, [w.id, w.queues ?? [], w.types ?? [], w.concurrency, w.running, hostname(), process.pid])
  }

  async unregisterWorker(id: string) {
    await this.#run(this.q.workerDelete, [id])
  }

  /** Workers whose last heartbeat is younger than `seenWithinMs` (default 60 s). */
  async listWorkers(seenWithinMs = 60_000): Promise<WorkerInfo[]> {
    const rows = await this.#run<Row>(this.q.workerListLive, [seenWithinMs])
    return rows.map((r) => ({
      id: r.id as string,
      queues: r.queues as string[],
      types: r.types as string[],
      concurrency: r.concurrency as number,
      runningJobs: r.running_jobs as number,
      hostname: (r.hostname as string | null) ?? null,
      pid: (r.pid as number | null) ?? null,
      startedAt: r.started_at as Date,
      lastSeenAt: r.last_seen_at as Date,
    }))
  }

  async setQueuePaused(name: string, paused: boolean): Promise<{ name: string; paused: boolean }> {
    if (typeof name !== 'string' || name.length < 1 || name.length > LIMITS.name)
      throw new ConveyorError(ErrorCodes.invalidInput, `queue name must be 1 to ${LIMITS.name} characters`)
    const [row] = await this.#run<{ name: string; paused: boolean }>(this.q.queueSetPaused, [name, paused])
    return row as { name: string; paused: boolean }
  }

  async listQueues(): Promise<QueueInfo[]> {
    const rows = await this.#run<{ name: string; paused: boolean; counts: Record<string, number>; oldest_pending_at: Date | null }>(
      this.q.queueList,
      [],
    )
    return rows.map((r) => ({
      name: r.name,
      paused: r.paused,
      pending: r.counts.pending ?? 0,
      running: r.counts.running ?? 0,
      completed: r.counts.completed ?? 0,
      failed: r.counts.failed ?? 0,
      cancelled: r.counts.cancelled ?? 0,
      oldestPendingAt: r.oldest_pending_at,
    }))
  }

  async #transition(t: Transition, id: string, scope: Scope, sql: string): Promise<Job> {
    if (isUuid(id)) {
      const [row] = await this.#run<Row>(sql, [id, scope.owner ?? null, this.channel])
      if (row) return toJob(row)
    }
    return this.#explain(t, id, scope)
  }

  /** A guarded statement changed nothing: say whether the job is missing or in the wrong state. */
  async #explain(t: Transition, id: string, scope: Scope): Promise<never> {
    const status = await this.status(id, scope)
    if (status === null) throw new ConveyorError(ErrorCodes.jobNotFound, `job ${id} not found`)
    const allowed = TRANSITIONS[t].from.join(', ')
    throw new ConveyorError(
      ErrorCodes.invalidTransition,
      `cannot ${t} job ${id}: it is ${status}${t === 'remove' && status === 'running' ? ' (cancel it first)' : ''}; ${t} applies to ${allowed} jobs`,
      { details: { status, allowed: TRANSITIONS[t].from } },
    )
  }

  async #run<T>(sql: string, params: unknown[]): Promise<T[]> {
    try {
      return await this.db.query<T>(sql, params, sql === this.q.jobClaim ? { prepare: 'generic' } : this.#prepared.has(sql) ? { prepare: true } : undefined)
    } catch (err) {
      throw translatePgError(err)
    }
  }
}

/**
 * The statements a busy system runs thousands of times a second, each with one good plan whatever
 * its parameters: prepared once per connection (see QueryOptions). A named prepared statement took a
 * one-row enqueue from ~1,000 to ~2,000/s and a claim + complete of 50 jobs from ~8,900 to ~10,400
 * jobs/s on one connection (PostgreSQL 15, this project's 2-core machine; bench/README.md).
 * The claim, whose custom plans PostgreSQL preferred (so planned it on every call), is planned once:
 * 2.6 → 2.1 ms per claim of 50 (prepare 'generic', see queries.ts claimChanged).
 */
const PREPARED = ['jobInsertOne', 'jobInsertMany', 'jobClaim', 'jobCompleteMany', 'jobFailMany', 'jobHeartbeat', 'jobProgressMany', 'jobGetMany', 'jobStatusGet'] as const

type ParsedEnqueue = ReturnType<typeof enqueueInputSchema.parse>

/** Validates one enqueue input and builds the row that queries.ts's jobInsertMany takes. */
export function buildInsertRow(input: EnqueueInput, what = 'job'): Record<string, unknown> {
  return toInsertRow(parseInput(enqueueInputSchema, input, what))
}

function toInsertRow(v: ParsedEnqueue): Row {
  return {
    id: newId(),
    queue: v.queue ?? 'default',
    type: v.type,
    name: v.name ?? null,
    payload: v.payload === undefined ? null : v.payload,
    priority: v.priority ?? 0,
    run_at: v.runAt === undefined ? null : new Date(v.runAt).toISOString(),
    delay_ms: v.delayMs ?? null,
    max_attempts: v.maxAttempts ?? 3,
    timeout_ms: v.timeoutMs ?? null,
    backoff: v.backoff ?? null,
    idempotency_key: v.idempotencyKey ?? null,
    owner: v.owner ?? null,
    source: v.source ?? 'api',
    metadata: v.metadata ?? {},
  }
}

/**
 * One insert row as jobInsertOne's parameters $1–$15 (jsonb values as JSON text: pg would send a JS
 * array as a PostgreSQL array). A payload or metadata holding a NUL or a lone surrogate
 * is stored with U+FFFD in its place (jsonText); the row takes that value too, so the answer (built
 * from the row, insertedJob) shows what was stored.
 */
function insertParams(r: Row): unknown[] {
  const json = (key: 'payload' | 'metadata' | 'backoff') => {
    const v = r[key]
    if (v === null || v === undefined) return null
    const { text, changed } = toJsonText(v)
    if (changed) r[key] = JSON.parse(text)
    return text
  }
  return [r.id, r.queue, r.type, r.name, json('payload'), r.priority, r.run_at, r.delay_ms, r.max_attempts, r.timeout_ms,
    json('backoff'), r.idempotency_key, r.owner, r.source, json('metadata')]
}

/**
 * The job an insert row became, from the row itself and what jobInsertMany returns of it (id, run_at,
 * created_at: the values only the database knows). Returning whole rows cost a quarter of a batch
 * enqueue's time (1,000 rows of 28 columns sent back and parsed: ~30,000 → ~41,000 jobs/s without).
 * The payload is the caller's value as given; a later read returns it as jsonb keeps it (keys sorted).
 */
export function insertedJob(row: Row, returned: Row): Job {
  const createdAt = returned.created_at as Date
  return {
    id: row.id as string,
    queue: row.queue as string,
    type: row.type as string,
    name: (row.name as string | null) ?? null,
    payload: row.payload ?? null,
    status: 'pending',
    priority: row.priority as number,
    runAt: returned.run_at as Date,
    attempts: 0,
    maxAttempts: row.max_attempts as number,
    timeoutMs: (row.timeout_ms as number | null) ?? null,
    backoff: (row.backoff as Job['backoff']) ?? null,
    idempotencyKey: (row.idempotency_key as string | null) ?? null,
    owner: (row.owner as string | null) ?? null,
    source: row.source as string,
    metadata: row.metadata as Record<string, unknown>,
    progress: 0,
    progressMessage: null,
    result: null,
    lastError: null,
    lockedBy: null,
    lockedAt: null,
    leaseExpiresAt: null,
    cancelRequested: false,
    createdAt,
    startedAt: null,
    completedAt: null,
    updatedAt: createdAt,
  }
}

type ParsedFilter = ReturnType<typeof listFilterSchema.parse>

/** The eight parameters of queries.ts's filterWhere, in order. A scope's owner overrides the filter's. */
function filterParams(f: Partial<ParsedFilter>, scope: Scope): unknown[] {
  const status = f.status === undefined ? null : Array.isArray(f.status) ? f.status : [f.status]
  const owner = scope.owner ?? f.owner ?? null
  // A scoped caller filtering by another owner asks for jobs it may not see: none, not its own (an
  // empty status list matches no row). Taking the scope instead made a user's bulk delete "of bob's
  // jobs" delete the user's own.
  const otherOwner = scope.owner != null && f.owner != null && f.owner !== scope.owner
  return [
    otherOwner ? [] : status && status.length > 0 ? status : null,
    f.type ?? null,
    f.queue ?? null,
    owner,
    f.q ? `%${f.q.replace(/[\\%_]/g, (c) => '\\' + c)}%` : null,
    f.createdAfter ? toDate(f.createdAfter, 'createdAfter') : null,
    f.createdBefore ? toDate(f.createdBefore, 'createdBefore') : null,
    f.metadata ? jsonText(f.metadata) : null,
  ]
}

/** A page's position: its last job's sort key, and the sort it belongs to (`s`). */
function encodeCursor(sort: SortName, job: Job): string {
  const t = (sort === 'queue' ? job.runAt : job.createdAt).toISOString()
  return Buffer.from(JSON.stringify({ s: sort, t, p: job.priority, id: job.id })).toString('base64url')
}

/**
 * Checks a cursor before PostgreSQL sees it: a priority that is not a 32-bit integer or a time it
 * cannot hold was a database error; a cursor of another sort (newest's created time read as the
 * queue order's run time) turned to a wrong page. Cursors from before `s` was added are taken as is.
 */
function decodeCursor(cursor: string, sort: SortName): { t: string; p: number; id: string } {
  try {
    const c = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as { s?: unknown; t: string; p: number; id: string }
    const time = typeof c.t === 'string' ? Date.parse(c.t) : Number.NaN
    const ok = Number.isInteger(c.p) && Math.abs(c.p) <= 2_147_483_647 && isUuid(c.id) && Math.abs(time) <= MAX_CURSOR_TIME
    if (ok && c.s !== undefined && c.s !== sort)
      throw new ConveyorError(ErrorCodes.invalidInput, `this cursor belongs to sort=${String(c.s)}, not sort=${sort}`, {
        details: [{ path: 'cursor', message: `a cursor of sort=${String(c.s)}` }],
      })
    if (ok) return { t: c.t, p: c.p, id: c.id }
  } catch (err) {
    if (err instanceof ConveyorError) throw err
    // not JSON: the error below
  }
  throw new ConveyorError(ErrorCodes.invalidInput, 'invalid cursor: pass the nextCursor of a previous page', {
    details: [{ path: 'cursor', message: 'not a cursor this server issued' }],
  })
}
/** Year 9999: beyond it PostgreSQL's timestamptz input refused the time (a JS Date reaches 275760). */
const MAX_CURSOR_TIME = Date.UTC(9999, 11, 31)

function toDate(value: Date | string, field: string): Date {
  const d = value instanceof Date ? value : new Date(value)
  if (Number.isNaN(d.getTime()))
    throw new ConveyorError(ErrorCodes.invalidInput, `${field} is not a valid date`, { details: [{ path: field, message: 'invalid date' }] })
  return d
}

const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i
export function isUuid(value: unknown): value is string {
  return typeof value === 'string' && UUID_RE.test(value)
}

function keyOf(owner: unknown, key: unknown): string {
  return JSON.stringify([owner ?? null, key])
}

export { FINAL_STATUSES }
