import type { FastifyInstance } from 'fastify'
import type { ServerContext } from '../context.ts'
import { openEventStream } from '../event-stream.ts'
import { addRoute } from '../route.ts'

/** GET /api/events: Server-Sent Events, filtered by what the caller may see and by the query. */
export function eventRoutes(app: FastifyInstance, ctx: ServerContext): void {
  addRoute(app, ctx, 'events', async ({ caller, query, reply, request }, ctx) => {
    const headers = reply.getHeaders()
    reply.hijack()
    // The stream's credential is authenticated again at each keep-alive (a revoked key ends it).
    const recheck = () => ctx.auth.authenticate(request.headers.authorization, query.token)
    const filter = { ids: query.ids, queue: query.queue, type: query.type }
    const end = openEventStream(reply.raw, ctx.hub, caller, filter, headers, recheck)
    ctx.streams.add(end)
    reply.raw.on('close', () => ctx.streams.delete(end))
    return undefined
  })
}
