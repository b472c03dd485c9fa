import { z } from 'zod'
import { ConveyorError, ErrorCodes } from '../errors.ts'
import { JOB_STATUSES } from './states.ts'

/** Bounds shared with the CHECK constraints of migrations/0001_jobs.sql. */
export const LIMITS = {
  name: 128,
  jobName: 256,
  key: 256,
  source: 64,
  priority: 1_000_000,
  maxAttempts: 1000,
  timeoutMs: 2_147_483_647,
  backoffDelayMs: 3_600_000,
  delayMs: 10 * 365 * 24 * 3600 * 1000,
  listLimit: 500,
  batch: 10_000,
} as const

/**
 * A string PostgreSQL can store as text: no NUL, no lone UTF-16 surrogate (half an emoji). Either
 * made the insert fail with "invalid byte sequence" (NUL) or be stored as U+FFFD (a surrogate), so
 * the job answered would not be the job stored.
 */
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/
const storable = (max: number) =>
  z
    .string()
    .max(max)
    .refine((s) => !s.includes('\u0000'), 'must not contain NUL (\\u0000)')
    .refine((s) => !LONE_SURROGATE.test(s), 'must not contain a lone UTF-16 surrogate (half of a character)')
const text = (max: number) => storable(max).min(1)

export const backoffSchema = z.object({
  type: z.enum(['exponential', 'fixed']),
  delayMs: z.number().int().min(0).max(LIMITS.backoffDelayMs),
})

export const enqueueInputSchema = z
  .object({
    type: text(LIMITS.name),
    payload: z.unknown().optional(),
    name: storable(LIMITS.jobName).optional(),
    queue: text(LIMITS.name).optional(),
    priority: z.number().int().min(-LIMITS.priority).max(LIMITS.priority).optional(),
    runAt: z.union([z.date(), z.iso.datetime({ offset: true })]).optional(),
    delayMs: z.number().int().min(0).max(LIMITS.delayMs).optional(),
    maxAttempts: z.number().int().min(1).max(LIMITS.maxAttempts).optional(),
    timeoutMs: z.number().int().min(1).max(LIMITS.timeoutMs).optional(),
    backoff: backoffSchema.optional(),
    idempotencyKey: text(LIMITS.key).optional(),
    owner: text(LIMITS.key).optional(),
    source: text(LIMITS.source).optional(),
    metadata: z.record(z.string(), z.unknown()).optional(),
    /** Ids of uploaded input files to attach to the job (see files/file-store.ts). */
    files: z.array(z.uuid()).max(20).optional(),
  })
  .strict()
  .refine((v) => v.runAt === undefined || v.delayMs === undefined, {
    message: 'give runAt or delayMs, not both',
    path: ['delayMs'],
  })

export type EnqueueInput = z.input<typeof enqueueInputSchema>

export const statusListSchema = z.array(z.enum(JOB_STATUSES as [string, ...string[]]))

export const listFilterSchema = z
  .object({
    status: z.union([statusListSchema, z.enum(JOB_STATUSES as [string, ...string[]])]).optional(),
    type: z.string().optional(),
    queue: z.string().optional(),
    owner: z.string().optional(),
    q: z.string().max(200).optional(),
    createdAfter: z.union([z.date(), z.iso.datetime({ offset: true })]).optional(),
    createdBefore: z.union([z.date(), z.iso.datetime({ offset: true })]).optional(),
    metadata: z.record(z.string(), z.union([z.string(), z.number(), z.boolean()])).optional(),
    sort: z.enum(['newest', 'oldest', 'queue']).optional(),
    limit: z.number().int().min(1).max(LIMITS.listLimit).optional(),
    offset: z.number().int().min(0).optional(),
    cursor: z.string().optional(),
  })
  .strict()

export type ListFilter = z.input<typeof listFilterSchema>

/** Parses with a schema; a failure becomes invalid_input naming each bad field. */
export function parseInput<S extends z.ZodType>(schema: S, value: unknown, what: string): z.output<S> {
  const result = schema.safeParse(value)
  if (result.success) return result.data
  const issues = result.error.issues.map((i) => ({ path: i.path.join('.'), message: i.message }))
  const first = issues[0]
  throw new ConveyorError(
    ErrorCodes.invalidInput,
    `invalid ${what}: ${first ? `${first.path || '(root)'}: ${first.message}` : 'bad input'}`,
    { details: issues },
  )
}
