import { ROUTES, type RouteId, type RouteInput, type RouteResponse } from '@conveyor/contracts'
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import { authorize } from './access.ts'
import type { Caller } from './auth.ts'
import type { ServerContext } from './context.ts'
import { parseRequestPart } from './errors.ts'

export interface RouteCall<R extends RouteId> {
  /** Who is calling (null on public routes). */
  caller: (typeof ROUTES)[R] extends { public: true } ? null : Caller
  body: RouteInput<R, 'body'>
  query: RouteInput<R, 'query'>
  params: RouteInput<R, 'params'>
  request: FastifyRequest
  reply: FastifyReply
}

export type RouteHandler<R extends RouteId> = (call: RouteCall<R>, ctx: ServerContext) => Promise<RouteResponse<R> | undefined>

/** Routes whose credential may also come as `?token=` (EventSource cannot send headers). */
const QUERY_TOKEN_ROUTES: ReadonlySet<RouteId> = new Set(['events'])

/**
 * Registers one route of the contracts' table: authenticate (401), authorise by the access table
 * (403), validate params, query and body with the route's schemas (400, naming the field), then run
 * the handler, whose answer is typed by the route's response schema; a succeeded change of a route
 * with an `audit` action is recorded in the audit log. Handlers stay thin: no SQL.
 *
 * A `rawBody` route gets a scope of its own in which every content type reaches the handler as the
 * unread request stream (`request.body`), not buffered and not held to the JSON body limit.
 */
export function addRoute<R extends RouteId>(app: FastifyInstance, ctx: ServerContext, id: R, handler: RouteHandler<R>): void {
  const def = ROUTES[id] as (typeof ROUTES)[RouteId]
  if ('rawBody' in def) {
    void app.register(async (scope) => {
      scope.removeAllContentTypeParsers()
      scope.addContentTypeParser('*', (_request, payload, done) => done(null, payload))
      register(scope, ctx, id, def, handler)
    })
  } else register(app, ctx, id, def, handler)
}

function register<R extends RouteId>(app: FastifyInstance, ctx: ServerContext, id: R, def: (typeof ROUTES)[RouteId], handler: RouteHandler<R>): void {
  app.route({
    method: def.method,
    url: def.path,
    config: { routeId: id },
    // HEAD of an event stream would open a stream that never ends.
    exposeHeadRoute: !('produces' in def && def.produces === 'text/event-stream'),
    handler: async (request, reply) => {
      let caller: Caller | null = null
      if (!('public' in def && def.public)) {
        const rawQuery = request.query as Record<string, unknown> | undefined
        const queryToken = QUERY_TOKEN_ROUTES.has(id) && typeof rawQuery?.token === 'string' ? rawQuery.token : undefined
        caller = await ctx.auth.authenticate(request.headers.authorization, queryToken)
        authorize(caller, id)
      }
      const call = {
        caller,
        params: 'params' in def ? parseRequestPart(def.params, request.params, 'path') : undefined,
        query: 'query' in def ? parseRequestPart(def.query, request.query ?? {}, 'query') : undefined,
        body: 'body' in def ? parseRequestPart(def.body, request.body, 'body') : undefined,
        request,
        reply,
      } as RouteCall<R>
      reply.code('status' in def ? def.status : 200)
      const answer = await handler(call, ctx)
      if ('audit' in def && caller && reply.statusCode < 300)
        ctx.audit.record(id, def.audit, caller, request, { params: call.params, query: call.query, body: call.body, answer })
      return answer
    },
  })
}
