import { quoteIdent } from '../db/db.ts'

/**
 * The SQL of schedules (migrations/0003_schedules.sql), named noun-first, built once per schema.
 * Values are always $n parameters; the quoted schema name is the only thing interpolated.
 */
export type ScheduleQueries = ReturnType<typeof buildScheduleQueries>

export const SCHEDULE_COLUMNS = `id, name, cron, timezone, type, payload, queue, priority, owner, metadata, max_attempts,
  timeout_ms, enabled, overlap, catch_up, last_tick_at, created_at, updated_at`

/**
 * The high-water mark of a schedule resumed now: ticks that fell while it was paused are passed, not
 * run (they are not downtime to catch up on, and a pause across a tick is how an operator skips it).
 */
const RESUMED_AT = (row: string) => `greatest(coalesce(${row}.last_tick_at, now()), now())`

export function buildScheduleQueries(schema: string) {
  const s = quoteIdent(schema)
  const S = `${s}.schedules`
  const T = `${s}.schedule_ticks`
  const values = `$2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15`
  const columns = `name, cron, timezone, type, payload, queue, priority, owner, metadata, max_attempts, timeout_ms, enabled, overlap, catch_up`
  return {
    /** $1 id, $2-$15 the fields in `columns` order. */
    scheduleInsert: `INSERT INTO ${S} (id, ${columns}) VALUES ($1, ${values}) RETURNING ${SCHEDULE_COLUMNS}`,
    /**
     * Upsert by name: $1 id for a new one, $2-$15 fields, $16 whether `enabled` was given. Keeps
     * last_tick_at, so past ticks never fire again. An existing schedule keeps its `enabled` unless
     * the caller named it: a declaration at start-up must not resume what an operator paused.
     */
    scheduleUpsertByName: `INSERT INTO ${S} AS cur (id, ${columns}) VALUES ($1, ${values})
      ON CONFLICT (name) DO UPDATE SET cron = EXCLUDED.cron, timezone = EXCLUDED.timezone, type = EXCLUDED.type,
        payload = EXCLUDED.payload, queue = EXCLUDED.queue, priority = EXCLUDED.priority, owner = EXCLUDED.owner,
        metadata = EXCLUDED.metadata, max_attempts = EXCLUDED.max_attempts, timeout_ms = EXCLUDED.timeout_ms,
        enabled = CASE WHEN $16::boolean THEN EXCLUDED.enabled ELSE cur.enabled END,
        last_tick_at = CASE WHEN $16::boolean AND EXCLUDED.enabled AND NOT cur.enabled THEN ${RESUMED_AT('cur')} ELSE cur.last_tick_at END,
        overlap = EXCLUDED.overlap, catch_up = EXCLUDED.catch_up, updated_at = now()
      RETURNING ${SCHEDULE_COLUMNS}`,
    /** $1 id, $2-$15 fields ($13 enabled). A schedule resumed (enabled again) skips the ticks of its pause. */
    scheduleUpdate: `UPDATE ${S} cur SET (${columns}, updated_at) = (${values}, now()),
        last_tick_at = CASE WHEN $13::boolean AND NOT cur.enabled THEN ${RESUMED_AT('cur')} ELSE cur.last_tick_at END
      WHERE id = $1 RETURNING ${SCHEDULE_COLUMNS}`,
    scheduleGet: `SELECT ${SCHEDULE_COLUMNS} FROM ${S} WHERE id = $1`,
    scheduleGetByName: `SELECT ${SCHEDULE_COLUMNS} FROM ${S} WHERE name = $1`,
    scheduleList: `SELECT ${SCHEDULE_COLUMNS} FROM ${S} ORDER BY name`,
    scheduleListEnabled: `SELECT ${SCHEDULE_COLUMNS} FROM ${S} WHERE enabled ORDER BY name`,
    scheduleDelete: `DELETE FROM ${S} WHERE id = $1 RETURNING id`,
    /** $1 schedule, $2 tick: moves the schedule's high-water mark forward, never back. */
    scheduleAdvance: `UPDATE ${S} SET last_tick_at = greatest(coalesce(last_tick_at, $2::timestamptz), $2::timestamptz) WHERE id = $1`,

    /** $1 schedule, $2 tick, $3 outcome. Returns a row only for the one process that wins the tick. */
    scheduleTickInsert: `INSERT INTO ${T} (schedule_id, tick_at, outcome) VALUES ($1, $2, $3)
      ON CONFLICT (schedule_id, tick_at) DO NOTHING RETURNING tick_at`,
    /** $1 schedule, $2 tick, $3 job id, $4 outcome. */
    scheduleTickSetJob: `UPDATE ${T} SET job_id = $3, outcome = $4 WHERE schedule_id = $1 AND tick_at = $2`,
    /** $1 schedule id (text): whether one of its jobs is still pending or running. */
    scheduleActiveJobExists: `SELECT EXISTS (SELECT 1 FROM ${s}.jobs WHERE status IN ('pending', 'running')
      AND metadata @> jsonb_build_object('scheduleId', $1::text)) AS active`,
    /** $1 schedule, $2 limit: recent ticks with their job's status (null once the job is purged). */
    scheduleTicksRecent: `SELECT t.tick_at, t.job_id, t.outcome, t.created_at, j.status::text AS job_status,
        j.completed_at AS job_completed_at, j.started_at AS job_started_at
      FROM ${T} t LEFT JOIN ${s}.jobs j ON j.id = t.job_id
      WHERE t.schedule_id = $1 ORDER BY t.tick_at DESC LIMIT $2`,
    /** $1 age in ms. */
    scheduleTicksDeleteOld: `DELETE FROM ${T} WHERE created_at < now() - $1 * interval '1 millisecond'`,
    dbNow: `SELECT now() AS now`,
  }
}
