import type { FastifyInstance } from 'fastify'
import type { ServerContext } from '../context.ts'
import { openEventStream } from '../event-stream.ts'
import { addRoute } from '../route.ts'

/** GET /api/events: Server-Sent Events, filtered by what the caller may see and by the query. */
export function eventRoutes(app: FastifyInstance, ctx: ServerContext): void {
  addRoute(app, ctx, 'events', async ({ caller, query, reply }, ctx) => {
    const headers = reply.getHeaders()
    reply.hijack()
    const end = openEventStream(reply.raw, ctx.hub, caller, { ids: query.ids, queue: query.queue, type: query.type }, headers)
    ctx.streams.add(end)
    reply.raw.on('close', () => ctx.streams.delete(end))
    return undefined
  })
}
