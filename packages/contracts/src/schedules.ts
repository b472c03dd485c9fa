import { z } from 'zod'
import { text } from './fields.ts'
import { jobSchema } from './job.ts'
import { LIMITS } from './limits.ts'

const timestamp = z.iso.datetime({ offset: true })

/** POST /api/schedules: a cron schedule and the job it enqueues at each tick. */
export const scheduleBodySchema = z
  .strictObject({
    name: text(LIMITS.name).meta({ description: 'unique' }),
    cron: text(256).meta({ description: '5 fields (minute hour day month weekday), or 6 with seconds first, e.g. "0 9 * * 1-5"' }),
    timezone: text(64).optional().meta({ description: 'IANA time zone the cron is read in, e.g. Europe/London; default UTC' }),
    type: text(LIMITS.name).meta({ description: 'the type of the job each tick enqueues' }),
    payload: z.unknown().optional(),
    queue: text(LIMITS.name).optional().meta({ description: 'default "default"' }),
    priority: z.number().int().min(-LIMITS.priority).max(LIMITS.priority).optional(),
    owner: text(LIMITS.key).nullable().optional(),
    metadata: z.record(z.string(), z.unknown()).optional(),
    maxAttempts: z.number().int().min(1).max(LIMITS.maxAttempts).nullable().optional(),
    timeoutMs: z.number().int().min(1).max(LIMITS.timeoutMs).nullable().optional(),
    enabled: z.boolean().optional().meta({ description: 'default true' }),
    overlap: z.enum(['allow', 'skip']).optional().meta({ description: 'skip: no run while the previous one is pending or running; default allow' }),
    catchUp: z.enum(['none', 'latest']).optional().meta({ description: 'latest: after downtime, enqueue the most recent missed tick once; default none' }),
  })
  .meta({ id: 'ScheduleInput' })
export type ScheduleBody = z.input<typeof scheduleBodySchema>

/** PATCH /api/schedules/:id: any fields of the schedule; the others keep their values. */
export const schedulePatchBodySchema = scheduleBodySchema.partial()
export type SchedulePatchBody = z.input<typeof schedulePatchBodySchema>

/** One tick of a schedule and the job it made, newest first. */
export const scheduleRunSchema = z.object({
  tickAt: timestamp,
  outcome: z.enum(['enqueued', 'caught_up', 'skipped_overlap', 'triggered']),
  jobId: z.uuid().nullable(),
  /** The job's status now; null when it was skipped or has been deleted. */
  jobStatus: z.string().nullable(),
  jobStartedAt: timestamp.nullable(),
  jobCompletedAt: timestamp.nullable(),
})

export const scheduleSchema = z
  .object({
    id: z.uuid(),
    name: z.string(),
    cron: z.string(),
    timezone: z.string(),
    type: z.string(),
    payload: z.unknown(),
    queue: z.string(),
    priority: z.number().int(),
    owner: z.string().nullable(),
    metadata: z.record(z.string(), z.unknown()),
    maxAttempts: z.number().int().nullable(),
    timeoutMs: z.number().int().nullable(),
    enabled: z.boolean(),
    overlap: z.enum(['allow', 'skip']),
    catchUp: z.enum(['none', 'latest']),
    nextRunAt: timestamp.nullable().meta({ description: 'the next tick (null when disabled)' }),
    lastRunAt: timestamp.nullable().meta({ description: 'the latest tick handled' }),
    nextRuns: z.array(timestamp).meta({ description: 'the next five ticks (none when disabled)' }),
    createdAt: timestamp,
    updatedAt: timestamp,
    /** Only on GET /api/schedules/:id: the latest ticks with their jobs' outcome. */
    recentRuns: z.array(scheduleRunSchema).optional(),
  })
  .meta({ id: 'Schedule' })
export type ApiSchedule = z.infer<typeof scheduleSchema>

export const scheduleIdParamsSchema = z.strictObject({ id: z.string().max(64) })
export const scheduleResponseSchema = z.object({ schedule: scheduleSchema })
export const schedulesResponseSchema = z.object({ schedules: z.array(scheduleSchema) })
export const scheduleDeletedResponseSchema = z.object({ deleted: z.string() })
export const scheduleTriggerResponseSchema = z.object({ job: jobSchema })
