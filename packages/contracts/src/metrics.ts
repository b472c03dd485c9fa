import { z } from 'zod'
import { LIMITS } from './limits.ts'

/** The windows of the metrics routes (the engine's WINDOWS). */
export const METRICS_WINDOWS = ['1h', '24h', '7d', '30d'] as const

const windowQuery = z.enum(METRICS_WINDOWS)

/** GET /api/metrics/summary. */
export const metricsSummaryQuerySchema = z.strictObject({
  window: windowQuery.optional().meta({ description: '1h (default, steps of a minute), 24h (15 min), 7d (1 h) or 30d (6 h)' }),
  queue: z.string().max(LIMITS.name).optional(),
  type: z.string().max(LIMITS.name).optional(),
})

/** GET /api/metrics/errors. */
export const metricsErrorsQuerySchema = z.strictObject({
  window: windowQuery.optional().meta({ description: 'default 24h' }),
  queue: z.string().max(LIMITS.name).optional(),
  type: z.string().max(LIMITS.name).optional(),
  limit: z.coerce.number().int().min(1).max(200).optional().meta({ description: 'groups, default 50' }),
})

const count = z.number().int()
const ms = z.number().nullable()

export const distributionSchema = z
  .object({ count, avgMs: ms, p50Ms: ms, p95Ms: ms, p99Ms: ms, maxMs: ms })
  .meta({ id: 'Distribution', description: 'Durations in ms; null when nothing was measured.' })

const countsSchema = z.object({ enqueued: count, completed: count, failed: count, cancelled: count })

export const metricsSummarySchema = z
  .object({
    window: windowQuery,
    stepMs: z.number().int(),
    /** Only the steps that had activity, oldest first. */
    series: z.array(countsSchema.extend({ at: z.iso.datetime({ offset: true }) })),
    totals: countsSchema,
    successRate: z.number().nullable().meta({ description: 'completed / (completed + failed); null when nothing finished' }),
    duration: distributionSchema.meta({ description: "handler duration (start to finish)" }),
    wait: distributionSchema.meta({ description: 'wait (runAt to start)' }),
    byType: z.array(
      z.object({ type: z.string(), completed: count, failed: count, successRate: z.number().nullable(), duration: distributionSchema, wait: distributionSchema }),
    ),
    /** Now, not over the window. */
    queues: z.array(z.object({ name: z.string(), paused: z.boolean(), pending: count, running: count, oldestPendingAgeMs: ms })),
  })
  .meta({ id: 'MetricsSummary' })
export const metricsSummaryResponseSchema = z.object({ summary: metricsSummarySchema })

export const errorGroupSchema = z
  .object({
    name: z.string().meta({ description: "the error's name, e.g. TimeoutError" }),
    shape: z.string().meta({ description: 'the message with numbers, ids and quoted text folded: `timeout after <n> ms`' }),
    count,
    firstSeen: z.iso.datetime({ offset: true }),
    lastSeen: z.iso.datetime({ offset: true }),
    sampleJobId: z.uuid(),
    sampleMessage: z.string(),
    types: z.array(z.string()),
    link: z.string().meta({ description: "the dashboard's list of this group's failed jobs, e.g. /jobs?status=failed&type=scan&q=timeout%20after" }),
  })
  .meta({ id: 'ErrorGroup' })
export const metricsErrorsResponseSchema = z.object({ errors: z.array(errorGroupSchema) })

/** POST /api/metrics/errors/retry: retry every failed job of one error group. */
export const retryErrorGroupBodySchema = z.strictObject({
  name: z.string().min(1).max(LIMITS.jobName),
  shape: z.string().max(10_000),
  type: z.string().max(LIMITS.name).optional(),
  queue: z.string().max(LIMITS.name).optional(),
  window: windowQuery.optional().meta({ description: 'only jobs that failed within this window; default: every failed job of the group' }),
})
export const retryErrorGroupResponseSchema = z.object({ affected: count })
