import { WINDOWS } from '@conveyor/core'
import type { FastifyInstance, FastifyRequest } from 'fastify'
import { z } from 'zod'
import type { Caller } from '../auth.ts'
import type { ServerContext } from '../context.ts'
import { HttpError, parseRequestPart } from '../errors.ts'

const windowSchema = z.enum(Object.keys(WINDOWS) as [keyof typeof WINDOWS, ...(keyof typeof WINDOWS)[]])

export const metricsSummaryQuerySchema = z.strictObject({
  window: windowSchema.optional().meta({ description: 'default 1h' }),
  queue: z.string().max(128).optional(),
  type: z.string().max(128).optional(),
})
export const metricsErrorsQuerySchema = metricsSummaryQuerySchema.extend({
  limit: z.coerce.number().int().min(1).max(200).optional(),
})

/** Callers that see every job: the metrics span all owners, so user tokens and workers may not read them. */
const READERS: ReadonlySet<string> = new Set(['admin', 'producer', 'viewer'])

async function reader(request: FastifyRequest, ctx: ServerContext): Promise<Caller> {
  const caller = await ctx.auth.authenticate(request.headers.authorization)
  if (!READERS.has(caller.role)) throw new HttpError('forbidden', `a ${caller.role === 'user' ? 'user token' : `${caller.role} key`} may not read metrics`)
  return caller
}

const iso = (d: Date) => d.toISOString()

/**
 * GET /api/metrics/summary: throughput, failures and durations per step over a window (1h in steps
 * of a minute, 24h, 7d, 30d), from the engine's rollups (recomputed every few seconds by the
 * maintenance loop, so the latest minute lags a little). GET /api/metrics/errors: recent failures
 * grouped by error name and message shape. The dashboard's overview reads both.
 */
export function metricsSummaryRoutes(app: FastifyInstance, ctx: ServerContext): void {
  // The contracts are gaining these two routes (metricsSummary, metricsErrors); once the server
  // registers them from its table, these stand aside (same paths, same answers).
  if (app.hasRoute({ method: 'GET', url: '/api/metrics/summary' })) return
  app.get('/api/metrics/summary', async (request) => {
    await reader(request, ctx)
    const query = parseRequestPart(metricsSummaryQuerySchema, request.query ?? {}, 'query')
    const s = await ctx.conveyor.metrics.summary(query)
    return { summary: { ...s, series: s.series.map((p) => ({ ...p, at: iso(p.at) })) } }
  })
  app.get('/api/metrics/errors', async (request) => {
    await reader(request, ctx)
    const query = parseRequestPart(metricsErrorsQuerySchema, request.query ?? {}, 'query')
    const groups = await ctx.conveyor.metrics.errors(query)
    return { errors: groups.map((g) => ({ ...g, firstSeen: iso(g.firstSeen), lastSeen: iso(g.lastSeen) })) }
  })
}
