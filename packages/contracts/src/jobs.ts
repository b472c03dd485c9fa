import { z } from 'zod'
import { idsQuery, intQuery, isoTime, metadataBody, metadataQuery, statusBody, statusQuery, storable, text } from './fields.ts'
import { backoffSchema, jobSchema } from './job.ts'
import { LIMITS } from './limits.ts'

/** The enqueue options of API.md (without `files`, which only POST /api/jobs and its alias take). */
const enqueueFields = z.strictObject({
  type: text(LIMITS.name).meta({ description: "the handler's name" }),
  payload: z.unknown().optional().meta({ description: 'any JSON, given to the handler' }),
  name: z.string().max(LIMITS.jobName).optional(),
  queue: text(LIMITS.name).optional().meta({ description: 'default "default"' }),
  priority: z.number().int().min(-LIMITS.priority).max(LIMITS.priority).optional().meta({ description: 'higher runs first; default 0' }),
  runAt: z.iso.datetime({ offset: true }).optional().meta({ description: 'not before this time' }),
  delayMs: z.number().int().min(0).max(LIMITS.delayMs).optional().meta({ description: 'not before now + delayMs' }),
  maxAttempts: z.number().int().min(1).max(LIMITS.maxAttempts).optional().meta({ description: 'default 3' }),
  timeoutMs: z.number().int().min(1).max(LIMITS.timeoutMs).optional(),
  backoff: backoffSchema.optional(),
  idempotencyKey: text(LIMITS.key).optional().meta({ description: 'one job per owner and key while the job exists' }),
  owner: text(LIMITS.key)
    .optional()
    .meta({ description: "the user or tenant the job belongs to; with a user token it is always the token's owner" }),
  source: text(LIMITS.source).optional().meta({ description: 'default "api"' }),
  metadata: z.record(z.string(), z.unknown()).optional().meta({ description: 'free JSON: client context, project id, tags' }),
})
const runAtOrDelay = (v: { runAt?: string; delayMs?: number }) => v.runAt === undefined || v.delayMs === undefined
const runAtOrDelayError = { message: 'give runAt or delayMs, not both', path: ['delayMs'] }

/** POST /api/jobs (and /api/jobs/enqueue): the enqueue options of API.md, and uploaded files to attach. */
export const enqueueBodySchema = enqueueFields
  .extend({
    files: z
      .array(z.uuid())
      .max(LIMITS.filesPerJob)
      .optional()
      .meta({
        description:
          'ids of files uploaded with POST /api/files (by the same owner), attached to the job; when the idempotencyKey is taken they are deleted instead',
      }),
  })
  .refine(runAtOrDelay, runAtOrDelayError)
  .meta({ id: 'EnqueueOptions' })
export type EnqueueBody = z.input<typeof enqueueBodySchema>

/** The enqueue option names: what a seed 001 body without `type` keeps out of its payload. */
const ENQUEUE_OPTIONS: ReadonlySet<string> = new Set(Object.keys(enqueueBodySchema.shape))

/**
 * Seed 001's clients POST `{ prompt, branch?, name?, originUrl?, idempotencyKey? }` to
 * /api/jobs/enqueue, with no `type`. Such a body (an object with neither `type` nor `payload`) becomes a job of type
 * `default` whose payload holds the fields that are not enqueue options (and `name`, which seed 001's
 * workers read from the payload); the enqueue options in it stay options. A body with `type` is taken
 * as it is, so both kinds of callers share the route.
 */
export function fromSeedBody(body: unknown): unknown {
  if (body === null || typeof body !== 'object' || Array.isArray(body) || 'type' in body || 'payload' in body) return body
  const options: Record<string, unknown> = { type: SEED_DEFAULT_TYPE }
  const payload: Record<string, unknown> = {}
  for (const [k, v] of Object.entries(body)) (ENQUEUE_OPTIONS.has(k) ? options : payload)[k] = v
  if (typeof options.name === 'string') payload.name = options.name
  return { ...options, payload }
}
/** The type of a job enqueued by a body without one (seed 001's calls of /api/jobs/enqueue). */
export const SEED_DEFAULT_TYPE = 'default'

/** POST /api/jobs/enqueue: the enqueue options, or seed 001's body (see fromSeedBody). */
export const enqueueAliasBodySchema = z.preprocess(fromSeedBody, enqueueBodySchema)

/** `success: true` is on the answers of seed 001's routes, for its clients (additive). */
const success = z.literal(true).optional().meta({ description: "always true (for seed 001's clients)" })

export const enqueueResponseSchema = z.object({
  success,
  job: jobSchema,
  /** Present (true) when an earlier job with the same owner and idempotencyKey was returned. */
  duplicate: z.boolean().optional(),
})

export const batchBodySchema = z.strictObject({
  jobs: z.array(enqueueFields.refine(runAtOrDelay, runAtOrDelayError)).min(1).max(LIMITS.batch),
})
export const batchResponseSchema = z.object({ jobs: z.array(jobSchema) })

/** GET /api/jobs: filters, sort and page. */
export const listQuerySchema = z.strictObject({
  status: statusQuery.optional(),
  type: z.string().optional(),
  queue: z.string().optional(),
  owner: z.string().optional(),
  q: storable(LIMITS.search).optional().meta({ description: "search in name, type, payload and the last error's message" }),
  createdAfter: isoTime.optional(),
  createdBefore: isoTime.optional(),
  metadata: metadataQuery.optional(),
  sort: z.enum(['newest', 'oldest', 'queue']).optional().meta({ description: 'newest (default), oldest, or queue (claim order)' }),
  limit: intQuery(1)
    .transform((n) => Math.min(n, LIMITS.listLimit))
    .optional()
    .meta({ description: `default ${LIMITS.listDefault}; values above ${LIMITS.listLimit} are clamped to ${LIMITS.listLimit}` }),
  offset: intQuery(0).optional(),
  cursor: z.string().max(1000).optional().meta({ description: 'the nextCursor of the previous page' }),
})
export type ListQuery = z.input<typeof listQuerySchema>

export const listResponseSchema = z.object({
  jobs: z.array(jobSchema),
  count: z.number().int().meta({ description: 'jobs matching the filter in all' }),
  nextCursor: z.string().nullable(),
})

export const statsQuerySchema = z.strictObject({
  queue: z.string().optional(),
  type: z.string().optional(),
  owner: z.string().optional(),
  metadata: metadataQuery.optional(),
})

export const statsSchema = z.object({
  pending: z.number().int(),
  /** Of the pending: those whose runAt is still ahead. */
  scheduled: z.number().int(),
  running: z.number().int(),
  completed: z.number().int(),
  failed: z.number().int(),
  cancelled: z.number().int(),
  total: z.number().int(),
  /** The same as running: seed 001's name for the jobs a worker holds. */
  claimed: z.number().int(),
})
export const statsResponseSchema = z.object({ stats: statsSchema })

export const jobIdParamsSchema = z.strictObject({ id: z.string().max(64) })
export const jobResponseSchema = z.object({ job: jobSchema })
/** The answer of cancel and retry. */
export const jobActionResponseSchema = z.object({ success, job: jobSchema })
export const deletedResponseSchema = z.object({ success, deleted: z.string() })

/** DELETE /api/jobs: purge finished jobs. */
export const purgeQuerySchema = z.strictObject({
  status: statusQuery.optional().meta({ description: 'comma list of completed, failed, cancelled, pending; default completed' }),
  olderThan: isoTime.optional().meta({ description: 'only jobs finished (or, if pending, created) before this time' }),
})
export const purgedResponseSchema = z.object({ success, purged: z.number().int() })

/** The filter of a bulk action: the list filters, in JSON. */
export const bulkFilterSchema = z.strictObject({
  status: statusBody.optional(),
  type: z.string().optional(),
  queue: z.string().optional(),
  owner: z.string().optional(),
  q: storable(LIMITS.search).optional(),
  createdAfter: isoTime.optional(),
  createdBefore: isoTime.optional(),
  metadata: metadataBody.optional(),
})

export const bulkBodySchema = z
  .strictObject({
    action: z.enum(['retry', 'cancel', 'delete']),
    ids: z.array(z.string().max(64)).max(LIMITS.ids).optional(),
    filter: bulkFilterSchema.optional().meta({ description: 'jobs matching this filter ({} for every job); with ids: those ids within it' }),
  })
  .refine((v) => v.ids !== undefined || v.filter !== undefined, {
    message: 'give ids or a filter (filter: {} for every job)',
    path: ['ids'],
  })
export const bulkResponseSchema = z.object({ affected: z.number().int() })

/** GET /api/events (Server-Sent Events). */
export const eventsQuerySchema = z.strictObject({
  ids: idsQuery.optional(),
  queue: z.string().optional(),
  type: z.string().optional(),
  token: z
    .string()
    .optional()
    .meta({ description: 'the API key or user token, for clients that cannot send headers (EventSource); this route only' }),
})
