import type { FastifyInstance } from 'fastify'
import type { ServerContext } from '../context.ts'
import { openEventStream } from '../event-stream.ts'
import { HttpError } from '../errors.ts'
import { SESSION_EXPIRY } from '../session-cookie.ts'
import { addRoute } from '../route.ts'

/** GET /api/events: Server-Sent Events, filtered by what the caller may see and by the query. */
export function eventRoutes(app: FastifyInstance, ctx: ServerContext): void {
  addRoute(app, ctx, 'events', async ({ caller, query, reply, request }, ctx) => {
    const headers = reply.getHeaders()
    reply.hijack()
    // The stream's credential is authenticated again at each keep-alive: a 401 (a revoked key) ends it.
    const recheck = () =>
      ctx.auth.authenticate(request.headers.authorization, query.token).then(
        () => true,
        (err: unknown) => !(err instanceof HttpError && err.status === 401),
      )
    const filter = { ids: query.ids, queue: query.queue, type: query.type }
    const end = openEventStream(reply.raw, ctx.hub, caller, filter, { headers, recheck, expiresAt: SESSION_EXPIRY.get(request) })
    ctx.streams.add(end)
    reply.raw.on('close', () => ctx.streams.delete(end))
    return undefined
  })
}
