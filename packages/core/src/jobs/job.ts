import type { ErrorInfo } from '../errors.ts'
import type { JobStatus } from './states.ts'

export interface Backoff {
  type: 'exponential' | 'fixed'
  /** Base delay: the fixed delay, or the first retry's delay that doubles with each attempt. */
  delayMs: number
}

/** How one attempt ended, kept in the job's attempt log. */
export interface AttemptLogEntry {
  attempt: number
  workerId: string | null
  startedAt: string | null
  endedAt: string
  outcome: 'completed' | 'failed' | 'timeout' | 'cancelled' | 'lease_expired' | 'released'
  error?: ErrorInfo
}

export interface Job<P = unknown, R = unknown> {
  id: string
  queue: string
  type: string
  name: string | null
  payload: P
  status: JobStatus
  priority: number
  runAt: Date
  attempts: number
  maxAttempts: number
  timeoutMs: number | null
  backoff: Backoff | null
  idempotencyKey: string | null
  owner: string | null
  source: string
  metadata: Record<string, unknown>
  progress: number
  progressMessage: string | null
  result: R | null
  lastError: (ErrorInfo & { at: string }) | null
  lockedBy: string | null
  lockedAt: Date | null
  leaseExpiresAt: Date | null
  cancelRequested: boolean
  createdAt: Date
  startedAt: Date | null
  completedAt: Date | null
  updatedAt: Date
  /** Only on single-job reads (getJob). */
  attemptLog?: AttemptLogEntry[]
}

/** The columns every job read returns; attempt_log only where one job is read. */
export const JOB_COLUMNS = `id, queue, type, name, payload, status, priority, run_at, attempts, max_attempts, timeout_ms,
  backoff, idempotency_key, owner, source, metadata, progress, progress_message, result, last_error, locked_by,
  locked_at, lease_expires_at, cancel_requested, created_at, started_at, completed_at, updated_at`

const COLUMN_NAMES = JOB_COLUMNS.split(',').map((c) => c.trim())
const TIMESTAMPS = new Set(['run_at', 'locked_at', 'lease_expires_at', 'created_at', 'started_at', 'completed_at', 'updated_at'])

/**
 * JOB_COLUMNS of `alias` as one JSON array per row, read back by jobFromJson. For the claim, which
 * returns whole jobs thousands of times a second: one field per row instead of 28 is less for the
 * driver to decode (PGlite copies every field it reads; pg parses each timestamp with a regex).
 */
export const jobJson = (alias: string) => `json_build_array(${JOB_COLUMNS.replace(/(\w+)/g, `${alias}.$1`)})::text`

/** A job from jobJson's text: timestamps are ISO 8601 strings there, jsonb columns JSON values. */
export function jobFromJson(text: string): Job {
  const values = JSON.parse(text) as unknown[]
  const row: Record<string, unknown> = {}
  for (let i = 0; i < COLUMN_NAMES.length; i++) {
    const name = COLUMN_NAMES[i]!
    const v = values[i] ?? null
    row[name] = v !== null && TIMESTAMPS.has(name) ? new Date(v as string) : v
  }
  return toJob(row)
}

/** snake_case becomes camelCase here and nowhere else. */
export function toJob(row: Record<string, unknown>): Job {
  const job: Job = {
    id: row.id as string,
    queue: row.queue as string,
    type: row.type as string,
    name: (row.name as string | null) ?? null,
    payload: row.payload ?? null,
    status: row.status as JobStatus,
    priority: row.priority as number,
    runAt: row.run_at as Date,
    attempts: row.attempts as number,
    maxAttempts: row.max_attempts as number,
    timeoutMs: (row.timeout_ms as number | null) ?? null,
    backoff: (row.backoff as Backoff | null) ?? null,
    idempotencyKey: (row.idempotency_key as string | null) ?? null,
    owner: (row.owner as string | null) ?? null,
    source: row.source as string,
    metadata: (row.metadata as Record<string, unknown>) ?? {},
    progress: row.progress as number,
    progressMessage: (row.progress_message as string | null) ?? null,
    result: row.result ?? null,
    lastError: (row.last_error as Job['lastError']) ?? null,
    lockedBy: (row.locked_by as string | null) ?? null,
    lockedAt: (row.locked_at as Date | null) ?? null,
    leaseExpiresAt: (row.lease_expires_at as Date | null) ?? null,
    cancelRequested: row.cancel_requested as boolean,
    createdAt: row.created_at as Date,
    startedAt: (row.started_at as Date | null) ?? null,
    completedAt: (row.completed_at as Date | null) ?? null,
    updatedAt: row.updated_at as Date,
  }
  if (row.attempt_log !== undefined) job.attemptLog = row.attempt_log as AttemptLogEntry[]
  return job
}
