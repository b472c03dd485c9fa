import type { FastifyInstance } from 'fastify'
import type { ServerContext } from '../context.ts'
import { addRoute } from '../route.ts'
import { toApiAuditEntry } from '../serialize.ts'

const DEFAULT_LIMIT = 100

/** GET /api/audit: the audit log, newest first, a page at a time. */
export function auditRoutes(app: FastifyInstance, ctx: ServerContext): void {
  addRoute(app, ctx, 'listAudit', async ({ query }, ctx) => {
    const limit = query.limit ?? DEFAULT_LIMIT
    await ctx.audit.settled() // this server's changes answered so far are in the log
    const entries = await ctx.conveyor.audit.list({ ...query, limit })
    return { entries: entries.map(toApiAuditEntry), nextBefore: entries.length === limit ? (entries.at(-1)?.id ?? null) : null }
  })
}
