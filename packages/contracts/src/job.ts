import { z } from 'zod'

/** The five states of a job (see DESIGN.md's state machine). */
export const JOB_STATUSES = ['pending', 'running', 'completed', 'failed', 'cancelled'] as const
export const jobStatusSchema = z.enum(JOB_STATUSES).meta({ id: 'JobStatus' })
export type JobStatus = z.infer<typeof jobStatusSchema>

/**
 * Other names accepted for a status in filters. Seed 001's clients ask for `claimed` jobs: the jobs a
 * worker holds, which Conveyor calls `running`.
 */
export const STATUS_ALIASES: Readonly<Record<string, JobStatus>> = { claimed: 'running' }

const timestamp = z.iso.datetime({ offset: true })

export const errorInfoSchema = z.object({
  message: z.string(),
  name: z.string(),
  stack: z.string().optional(),
  code: z.string().optional(),
})

export const backoffSchema = z
  .object({
    type: z.enum(['exponential', 'fixed']),
    delayMs: z.number().int().min(0).max(3_600_000),
  })
  .strict()
  .meta({ id: 'Backoff', description: 'Delay before a failed attempt is retried: fixed, or doubling from delayMs.' })

export const attemptLogEntrySchema = z.object({
  attempt: z.number().int(),
  workerId: z.string().nullable(),
  startedAt: z.string().nullable(),
  endedAt: z.string(),
  outcome: z.enum(['completed', 'failed', 'timeout', 'cancelled', 'lease_expired', 'released']),
  error: errorInfoSchema.optional(),
})

/** A job as the API shows it. Times are ISO 8601 strings in UTC. */
export const jobSchema = z
  .object({
    id: z.uuid(),
    queue: z.string(),
    type: z.string(),
    name: z.string().nullable(),
    payload: z.unknown(),
    status: jobStatusSchema,
    priority: z.number().int(),
    runAt: timestamp,
    attempts: z.number().int(),
    maxAttempts: z.number().int(),
    timeoutMs: z.number().int().nullable(),
    backoff: backoffSchema.nullable(),
    idempotencyKey: z.string().nullable(),
    owner: z.string().nullable(),
    source: z.string(),
    metadata: z.record(z.string(), z.unknown()),
    progress: z.number().int().min(0).max(100),
    progressMessage: z.string().nullable(),
    result: z.unknown(),
    lastError: errorInfoSchema.extend({ at: z.string() }).nullable(),
    lockedBy: z.string().nullable(),
    lockedAt: timestamp.nullable(),
    leaseExpiresAt: timestamp.nullable(),
    cancelRequested: z.boolean(),
    createdAt: timestamp,
    startedAt: timestamp.nullable(),
    /**
     * The same as startedAt, under seed 001's name. The server always sends it; optional so that jobs
     * built by other code (fixtures, older servers) still type-check.
     */
    claimedAt: timestamp.nullable().optional(),
    completedAt: timestamp.nullable(),
    updatedAt: timestamp,
    /** Only on the single-job answer (GET /api/jobs/:id): one entry per finished attempt. */
    attemptLog: z.array(attemptLogEntrySchema).optional(),
  })
  .meta({ id: 'Job' })

export type Job = z.infer<typeof jobSchema>
export type AttemptLogEntry = z.infer<typeof attemptLogEntrySchema>

/** One `event: job` of GET /api/events: a job changed state or reported progress. */
export const jobEventSchema = z
  .object({
    id: z.uuid(),
    status: jobStatusSchema,
    queue: z.string(),
    type: z.string(),
    owner: z.string().nullable(),
    progress: z.number().int(),
    progressMessage: z.string().nullable(),
    updatedAt: z.string(),
  })
  .meta({ id: 'JobEvent' })

export type JobEvent = z.infer<typeof jobEventSchema>
