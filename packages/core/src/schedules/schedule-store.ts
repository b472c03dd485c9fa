import { newId } from '../ids.ts'
import { z } from 'zod'
import type { Db, Queryable } from '../db/db.ts'
import { ConveyorError, ErrorCodes, isUniqueViolation, translatePgError } from '../errors.ts'
import { LIMITS, parseInput } from '../jobs/input.ts'
import { buildInsertRow, insertedJob, isUuid } from '../jobs/job-store.ts'
import type { Job } from '../jobs/job.ts'
import { buildQueries } from '../jobs/queries.ts'
import { nextTicks, parseCron } from './cron.ts'
import { buildScheduleQueries, type ScheduleQueries } from './queries.ts'
import { jsonText } from '../jobs/json-text.ts'

export interface Schedule {
  id: string
  name: string
  cron: string
  timezone: string
  type: string
  payload: unknown
  queue: string
  priority: number
  owner: string | null
  metadata: Record<string, unknown>
  maxAttempts: number | null
  timeoutMs: number | null
  enabled: boolean
  overlap: 'allow' | 'skip'
  catchUp: 'none' | 'latest'
  lastTickAt: Date | null
  createdAt: Date
  updatedAt: Date
  /** The next tick after now (null when disabled or the expression never fires again). */
  nextRunAt: Date | null
}

export interface ScheduleTick {
  tickAt: Date
  jobId: string | null
  outcome: 'enqueued' | 'caught_up' | 'skipped_overlap' | 'triggered'
  createdAt: Date
  jobStatus: string | null
  jobStartedAt: Date | null
  jobCompletedAt: Date | null
}

const text = (max: number) => z.string().min(1).max(max)

export const scheduleInputSchema = z
  .object({
    name: text(LIMITS.name),
    cron: text(256),
    timezone: text(64).default('UTC'),
    type: text(LIMITS.name),
    payload: z.unknown().optional(),
    queue: text(LIMITS.name).default('default'),
    priority: z.number().int().min(-LIMITS.priority).max(LIMITS.priority).default(0),
    owner: text(LIMITS.key).nullable().optional(),
    metadata: z.record(z.string(), z.unknown()).default({}),
    maxAttempts: z.number().int().min(1).max(LIMITS.maxAttempts).nullable().optional(),
    timeoutMs: z.number().int().min(1).max(LIMITS.timeoutMs).nullable().optional(),
    enabled: z.boolean().default(true),
    overlap: z.enum(['allow', 'skip']).default('allow'),
    catchUp: z.enum(['none', 'latest']).default('none'),
  })
  .strict()

export type ScheduleInput = z.input<typeof scheduleInputSchema>
export const schedulePatchSchema = scheduleInputSchema.partial().strict()
export type SchedulePatch = z.input<typeof schedulePatchSchema>
type Parsed = z.output<typeof scheduleInputSchema>

type Row = Record<string, unknown>

/** Schedules: create, upsert by name, read, change, remove, trigger, and the scheduler's tick writes. */
export class ScheduleStore {
  readonly q: ScheduleQueries
  readonly #jobSql: string

  constructor(
    private readonly db: Db,
    private readonly channel: string,
    schema: string,
  ) {
    this.q = buildScheduleQueries(schema)
    this.#jobSql = buildQueries(schema).jobInsertMany
  }

  async create(input: ScheduleInput): Promise<Schedule> {
    const v = validate(input)
    try {
      const [row] = await this.db.query<Row>(this.q.scheduleInsert, [newId(), ...fields(v)])
      return toSchedule(row!)
    } catch (err) {
      if (isUniqueViolation(err))
        throw new ConveyorError(ErrorCodes.alreadyExists, `a schedule named "${v.name}" exists already; change it with PATCH or pick another name`)
      throw translatePgError(err)
    }
  }

  /**
   * Creates or replaces the schedule with this name: how schedules are declared in code at start-up.
   * An existing schedule keeps its `enabled` unless `input` names it (an operator's pause survives a
   * restart); a paused one enabled here skips the ticks of its pause.
   */
  async upsert(input: ScheduleInput): Promise<Schedule> {
    const v = validate(input)
    const enabledGiven = (input as { enabled?: unknown }).enabled !== undefined
    const [row] = await this.#run<Row>(this.q.scheduleUpsertByName, [newId(), ...fields(v), enabledGiven])
    return toSchedule(row!)
  }

  async update(id: string, patch: SchedulePatch): Promise<Schedule> {
    const current = await this.get(id)
    if (!current) throw notFound(id)
    const p = parseInput(schedulePatchSchema, patch, 'schedule change')
    // zod's .partial() keeps each field's default: take only the fields the patch gave, or changing one
    // field would reset the others (timezone to UTC, enabled to true, …).
    const given = Object.fromEntries(Object.entries(stripUndefined(p)).filter(([k]) => (patch as Record<string, unknown>)[k] !== undefined))
    const merged = validate({ ...fromSchedule(current), ...given })
    try {
      const [row] = await this.db.query<Row>(this.q.scheduleUpdate, [id, ...fields(merged)])
      if (!row) throw notFound(id)
      return toSchedule(row)
    } catch (err) {
      if (isUniqueViolation(err))
        throw new ConveyorError(ErrorCodes.alreadyExists, `a schedule named "${merged.name}" exists already`)
      throw translatePgError(err)
    }
  }

  async get(id: string): Promise<Schedule | null> {
    if (!isUuid(id)) return null
    const [row] = await this.#run<Row>(this.q.scheduleGet, [id])
    return row ? toSchedule(row) : null
  }

  async getByName(name: string): Promise<Schedule | null> {
    const [row] = await this.#run<Row>(this.q.scheduleGetByName, [name])
    return row ? toSchedule(row) : null
  }

  async list(options: { enabledOnly?: boolean } = {}): Promise<Schedule[]> {
    const rows = await this.#run<Row>(options.enabledOnly ? this.q.scheduleListEnabled : this.q.scheduleList, [])
    return rows.map(toSchedule)
  }

  async remove(id: string): Promise<void> {
    const rows = isUuid(id) ? await this.#run(this.q.scheduleDelete, [id]) : []
    if (rows.length === 0) throw notFound(id)
  }

  async recentTicks(id: string, limit = 20): Promise<ScheduleTick[]> {
    const rows = await this.#run<Row>(this.q.scheduleTicksRecent, [id, limit])
    return rows.map((r) => ({
      tickAt: r.tick_at as Date,
      jobId: (r.job_id as string | null) ?? null,
      outcome: r.outcome as ScheduleTick['outcome'],
      createdAt: r.created_at as Date,
      jobStatus: (r.job_status as string | null) ?? null,
      jobStartedAt: (r.job_started_at as Date | null) ?? null,
      jobCompletedAt: (r.job_completed_at as Date | null) ?? null,
    }))
  }

  /** Enqueues one run now, outside the cron timetable (recorded as a `triggered` tick). */
  async trigger(id: string): Promise<Job> {
    const schedule = await this.get(id)
    if (!schedule) throw notFound(id)
    return this.db.transaction(async (tx) => {
      const [{ now }] = (await tx.query<{ now: Date }>(this.q.dbNow)) as [{ now: Date }]
      const job = await this.#insertJob(tx, schedule, now)
      await tx.query(this.q.scheduleTickInsert, [schedule.id, now, 'triggered'])
      await tx.query(this.q.scheduleTickSetJob, [schedule.id, now, job.id, 'triggered'])
      return job
    })
  }

  /**
   * Handles one tick exactly once across every process: the tick row and the job are written in one
   * transaction, and only the transaction that inserted the tick row goes on. Returns the job, or
   * 'skipped' (overlap: skip with a run still active), or null when another process had the tick.
   */
  async fireTick(schedule: Schedule, tick: Date, outcome: 'enqueued' | 'caught_up'): Promise<Job | 'skipped' | null> {
    return this.db.transaction(async (tx) => {
      const won = await tx.query(this.q.scheduleTickInsert, [schedule.id, tick, outcome])
      if (won.length === 0) return null
      // scheduleAdvance updates the schedule's row, so it also serialises this schedule's ticks: a
      // process firing another tick of it at the same moment waits here until this one commits, and
      // its overlap check then sees this tick's job.
      await tx.query(this.q.scheduleAdvance, [schedule.id, tick])
      if (schedule.overlap === 'skip') {
        const [row] = await tx.query<{ active: boolean }>(this.q.scheduleActiveJobExists, [schedule.id])
        if (row?.active) {
          await tx.query(this.q.scheduleTickSetJob, [schedule.id, tick, null, 'skipped_overlap'])
          return 'skipped'
        }
      }
      const job = await this.#insertJob(tx, schedule, tick)
      await tx.query(this.q.scheduleTickSetJob, [schedule.id, tick, job.id, outcome])
      return job
    })
  }

  /** Moves a schedule's high-water mark past ticks that were passed over (downtime, catchUp none). */
  async advance(scheduleId: string, tick: Date): Promise<void> {
    await this.#run(this.q.scheduleAdvance, [scheduleId, tick])
  }

  async deleteOldTicks(olderThanMs: number): Promise<void> {
    await this.#run(this.q.scheduleTicksDeleteOld, [olderThanMs])
  }

  /** The database's clock: every scheduler process reads the same time, whatever its own clock says. */
  async now(): Promise<Date> {
    const [row] = await this.#run<{ now: Date }>(this.q.dbNow, [])
    return row!.now
  }

  async #insertJob(tx: Queryable, s: Schedule, tick: Date): Promise<Job> {
    const row = buildInsertRow({
      type: s.type,
      payload: s.payload,
      queue: s.queue,
      priority: s.priority,
      source: 'schedule',
      metadata: { ...s.metadata, scheduleId: s.id, scheduleName: s.name, scheduledFor: tick.toISOString() },
      ...(s.owner ? { owner: s.owner } : {}),
      ...(s.maxAttempts ? { maxAttempts: s.maxAttempts } : {}),
      ...(s.timeoutMs ? { timeoutMs: s.timeoutMs } : {}),
    })
    const [jobRow] = await tx.query<Row>(this.#jobSql, [jsonText([row]), this.channel])
    return insertedJob(row, jobRow!)
  }

  async #run<T>(sql: string, params: unknown[]): Promise<T[]> {
    try {
      return await this.db.query<T>(sql, params)
    } catch (err) {
      throw translatePgError(err)
    }
  }
}

function validate(input: unknown): Parsed {
  const v = parseInput(scheduleInputSchema, input, 'schedule')
  const cron = parseCron(v.cron, v.timezone) // throws invalid_input naming cron or timezone
  // A valid expression can still name no date at all (February 30th): refused, not kept silently idle.
  if (cron.nextRun() === null) {
    const message = `cron "${v.cron}" never fires: no date matches it (a 30th of February?)`
    throw new ConveyorError(ErrorCodes.invalidInput, message, { details: [{ path: 'cron', message }] })
  }
  return v
}

function fields(v: Parsed): unknown[] {
  return [
    v.name,
    v.cron.trim(),
    v.timezone,
    v.type,
    v.payload === undefined ? null : jsonText(v.payload),
    v.queue,
    v.priority,
    v.owner ?? null,
    jsonText(v.metadata),
    v.maxAttempts ?? null,
    v.timeoutMs ?? null,
    v.enabled,
    v.overlap,
    v.catchUp,
  ]
}

function fromSchedule(s: Schedule): ScheduleInput {
  return {
    name: s.name,
    cron: s.cron,
    timezone: s.timezone,
    type: s.type,
    payload: s.payload,
    queue: s.queue,
    priority: s.priority,
    owner: s.owner,
    metadata: s.metadata,
    maxAttempts: s.maxAttempts,
    timeoutMs: s.timeoutMs,
    enabled: s.enabled,
    overlap: s.overlap,
    catchUp: s.catchUp,
  }
}

function stripUndefined<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>
}

export function toSchedule(r: Row): Schedule {
  const s: Schedule = {
    id: r.id as string,
    name: r.name as string,
    cron: r.cron as string,
    timezone: r.timezone as string,
    type: r.type as string,
    payload: r.payload ?? null,
    queue: r.queue as string,
    priority: r.priority as number,
    owner: (r.owner as string | null) ?? null,
    metadata: (r.metadata as Record<string, unknown>) ?? {},
    maxAttempts: (r.max_attempts as number | null) ?? null,
    timeoutMs: (r.timeout_ms as number | null) ?? null,
    enabled: r.enabled as boolean,
    overlap: r.overlap as Schedule['overlap'],
    catchUp: r.catch_up as Schedule['catchUp'],
    lastTickAt: (r.last_tick_at as Date | null) ?? null,
    createdAt: r.created_at as Date,
    updatedAt: r.updated_at as Date,
    nextRunAt: null,
  }
  if (s.enabled) s.nextRunAt = nextTicks(parseCron(s.cron, s.timezone), 1)[0] ?? null
  return s
}

function notFound(id: string) {
  return new ConveyorError(ErrorCodes.scheduleNotFound, `schedule ${id} not found`)
}
