import type { ErrorGroup } from '@conveyor/core'
import type { FastifyInstance } from 'fastify'
import type { ServerContext } from '../context.ts'
import { addRoute } from '../route.ts'
import { toApiErrorGroup, toApiSummary } from '../serialize.ts'

/** The dashboard's jobs list (its URL filters) that the link of an error group opens. */
const JOBS_PAGE = '/jobs'
const MIN_SEARCH = 3

/**
 * The dashboard's list of a group's failed jobs: failed, of the group's type (when it has one), with
 * the longest literal part of its message shape as the search (`timeout after <n> ms` → `timeout
 * after`), which the list matches against each job's last error.
 */
export function errorGroupLink(g: ErrorGroup, filter: { queue?: string; type?: string }): string {
  const q = new URLSearchParams({ status: 'failed' })
  const type = filter.type ?? (g.types.length === 1 ? g.types[0] : undefined)
  if (type) q.set('type', type)
  if (filter.queue) q.set('queue', filter.queue)
  const literal = g.shape
    .split(/<n>|<id>|<text>/)
    .map((part) => part.trim())
    .reduce((a, b) => (b.length > a.length ? b : a), '')
  if (literal.length >= MIN_SEARCH) q.set('q', literal.slice(0, 200))
  return `${JOBS_PAGE}?${q.toString().replaceAll('+', '%20')}`
}

/**
 * Metrics from the engine's rollups (summary) and recent failures grouped by error (errors), and
 * "retry all in this group": every failed job of one group, retried as one bulk action.
 */
export function metricsRoutes(app: FastifyInstance, ctx: ServerContext): void {
  addRoute(app, ctx, 'metricsSummary', async ({ query }, ctx) => ({
    summary: toApiSummary(await ctx.conveyor.metrics.summary(query)),
  }))

  addRoute(app, ctx, 'metricsErrors', async ({ query }, ctx) => {
    const groups = await ctx.conveyor.metrics.errors(query)
    return { errors: groups.map((g) => toApiErrorGroup(g, errorGroupLink(g, query))) }
  })

  addRoute(app, ctx, 'retryErrorGroup', async ({ body }, ctx) => {
    const ids = await ctx.conveyor.metrics.errorGroupJobIds(body)
    if (ids.length === 0) return { affected: 0 }
    // Still failed when retried: a job retried or deleted meanwhile is left alone.
    return { affected: await ctx.conveyor.jobs.bulk({ action: 'retry', ids, filter: { status: ['failed'] } }) }
  })
}
