import type { FastifyReply, FastifyInstance, FastifyRequest } from 'fastify'
import type { Caller } from '../auth.ts'
import type { ServerContext } from '../context.ts'
import { openEventStream, type StreamFilter, type StreamMessage } from '../event-stream.ts'
import { HttpError } from '../errors.ts'
import { SESSION_EXPIRY } from '../session-cookie.ts'
import { addRoute } from '../route.ts'

/** A running job whose cancel was requested: what an HTTP worker needs to hear at once (its heartbeat comes later). */
const cancelMessage: StreamMessage = (e) =>
  e.cancelRequested && e.status === 'running' ? `event: cancel\ndata: ${JSON.stringify({ id: e.id })}\n\n` : undefined

/**
 * GET /api/events: Server-Sent Events, filtered by what the caller may see and by the query.
 * GET /api/workers/cancels: the same stream for HTTP workers, carrying cancel requests only.
 */
export function eventRoutes(app: FastifyInstance, ctx: ServerContext): void {
  addRoute(app, ctx, 'events', async (call, ctx) => {
    const { query } = call
    stream(call, ctx, { queryToken: query.token, filter: { ids: query.ids, queue: query.queue, type: query.type } })
    return undefined
  })

  addRoute(app, ctx, 'workerCancels', async (call, ctx) => {
    stream(call, ctx, { message: cancelMessage })
    return undefined
  })
}

/** Hands the reply over to an event stream that the server ends when it closes. */
function stream(
  { caller, request, reply }: { caller: Caller; request: FastifyRequest; reply: FastifyReply },
  ctx: ServerContext,
  { queryToken, filter = {}, message }: { queryToken?: string; filter?: StreamFilter; message?: StreamMessage },
): void {
  const headers = reply.getHeaders()
  reply.hijack()
  // The stream's credential is authenticated again at each keep-alive: a 401 (a revoked key) ends it.
  const recheck = () =>
    ctx.auth.authenticate(request.headers.authorization, queryToken).then(
      () => true,
      (err: unknown) => !(err instanceof HttpError && err.status === 401),
    )
  const end = openEventStream(reply.raw, ctx.hub, caller, filter, { headers, recheck, expiresAt: SESSION_EXPIRY.get(request), message })
  ctx.streams.add(end)
  reply.raw.on('close', () => ctx.streams.delete(end))
}
