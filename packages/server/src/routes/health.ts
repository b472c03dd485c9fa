import type { FastifyInstance } from 'fastify'
import type { ServerContext } from '../context.ts'
import { addRoute } from '../route.ts'

const NO_JOB = '00000000-0000-0000-0000-000000000000'

export function healthRoutes(app: FastifyInstance, ctx: ServerContext): void {
  addRoute(app, ctx, 'health', async () => ({ ok: true as const }))

  addRoute(app, ctx, 'ready', async ({ reply }, ctx) => {
    try {
      // A primary-key lookup of a job that never exists: proves the database answers and is migrated.
      await ctx.conveyor.jobs.status(NO_JOB)
      return { ok: true, database: 'ok' as const }
    } catch (err) {
      ctx.config.logger.warn({ err }, 'readiness check: the database does not answer')
      reply.code(503)
      return { ok: false, database: 'unreachable' as const }
    }
  })

  addRoute(app, ctx, 'metrics', async ({ reply }, ctx) => {
    const { contentType, body } = await ctx.metrics.render()
    reply.type(contentType)
    return body as never
  })
}
