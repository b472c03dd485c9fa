import { KeyStore } from '@conveyor/core'
import fastifySwagger from '@fastify/swagger'
import fastifySwaggerUi from '@fastify/swagger-ui'
import type { RouteResponse } from '@conveyor/contracts'
import Fastify, { type FastifyBaseLogger, type FastifyInstance, type FastifyReply, LogController } from 'fastify'
import { AuditRecorder } from './audit.ts'
import { Authenticator } from './auth.ts'
import { ClaimWaiter } from './claim-waiter.ts'
import { parseConfig, type ServerConfig } from './config.ts'
import { allowCrossOrigin } from './cors.ts'
import type { ServerContext } from './context.ts'
import { clientErrorHandler, toErrorResponse } from './errors.ts'
import { EventHub } from './event-hub.ts'
import { Metrics } from './metrics.ts'
import { buildOpenApiDocument } from './openapi.ts'
import { RateLimiter } from './rate-limiter.ts'
import { addRoute } from './route.ts'
import { accessRoutes } from './routes/access.ts'
import { alertRoutes } from './routes/alerts.ts'
import { auditRoutes } from './routes/audit.ts'
import { dashboardFiles } from './routes/dashboard-files.ts'
import { eventRoutes } from './routes/events.ts'
import { fileRoutes } from './routes/files.ts'
import { healthRoutes } from './routes/health.ts'
import { jobRoutes } from './routes/jobs.ts'
import { metricsRoutes } from './routes/metrics.ts'
import { queueRoutes } from './routes/queues.ts'
import { scheduleRoutes } from './routes/schedules.ts'
import { sessionRoutes } from './routes/session.ts'
import { workerRoutes } from './routes/workers.ts'
import { TokenSigner } from './tokens.ts'
import { WorkerRegistry } from './worker-registry.ts'

declare module 'fastify' {
  interface FastifyContextConfig {
    /** The contracts' route id, for metrics and logs. */
    routeId?: string
  }
}

/** The name of the user-token HMAC key in the server_secrets table, when config.tokenSecret is not given. */
export const TOKEN_SECRET_NAME = 'user_token_hmac'

/**
 * Builds the HTTP API on an open Conveyor, without listening: tests call `app.inject()`, and
 * startServer() listens. Closing the app ends its event streams and waiting claims and drops its
 * event subscription; the Conveyor stays open (it is the caller's).
 *
 * @example
 *   const app = await buildApp({ conveyor, adminKey })
 *   const res = await app.inject({ method: 'GET', url: '/api/jobs', headers: { authorization: `Bearer ${adminKey}` } })
 *   await app.close()
 */
export async function buildApp(config: ServerConfig): Promise<FastifyInstance> {
  const c = parseConfig(config)
  const { conveyor, logger } = c
  const keys = new KeyStore(conveyor.db, conveyor.schema)
  const tokens = new TokenSigner(c.tokenSecret ?? (await keys.secret(TOKEN_SECRET_NAME)))
  const hub = new EventHub(conveyor, c.events, logger)
  await hub.start()
  const streams = new Set<() => void>()
  const claims = new ClaimWaiter(conveyor.jobs, hub, c.claimPollMs)
  const metrics = new Metrics(conveyor, { streams: () => streams.size, waitingClaims: () => claims.waiting })
  hub.onEvent((e) => metrics.observe(e))

  const ctx: ServerContext = {
    config: c,
    conveyor,
    keys,
    auth: new Authenticator(keys, tokens, c.adminKey, c.keyCacheMs, logger),
    audit: new AuditRecorder({ conveyor }),
    tokens,
    hub,
    metrics,
    claims,
    workers: new WorkerRegistry(conveyor.jobs, logger),
    limits: {
      key: c.rateLimit.key ? new RateLimiter(c.rateLimit.key) : null,
      token: c.rateLimit.token ? new RateLimiter(c.rateLimit.token) : null,
    },
    streams,
  }

  const app = Fastify({
    loggerInstance: logger as FastifyBaseLogger,
    bodyLimit: c.bodyLimit,
    trustProxy: c.trustProxy,
    logController: new LogController({ disableRequestLogging: !c.logRequests }),
    return503OnClosing: true,
    // Queue names run to 128 characters and file names to 255, percent-encoded up to 9 bytes each.
    routerOptions: { maxParamLength: 2400 },
    // A path Fastify cannot decode (bad percent-encoding) is answered in the API's error shape.
    frameworkErrors: (err, _request, reply) => {
      const r = toErrorResponse(err)
      ;(reply as unknown as FastifyReply).code(r.status).headers(r.headers).send(r.body)
    },
    clientErrorHandler,
  })
  try {
    allowCrossOrigin(app, c.corsOrigins)
    // JSON in and out: any other body is refused with 415 rather than parsed as a string.
    app.removeContentTypeParser('text/plain')
    app.setErrorHandler((err, request, reply) => {
      const r = toErrorResponse(err)
      if (r.internal) request.log.error({ err, route: request.routeOptions.config.routeId }, 'request failed')
      reply.code(r.status).headers(r.headers).send(r.body)
    })
    app.setNotFoundHandler((request, reply) => {
      reply.code(404).send({ error: { code: 'not_found', message: `no route ${request.method} ${request.url.split('?')[0]}` } })
    })
    app.addHook('onResponse', async (request, reply) => {
      const id = request.routeOptions.config?.routeId
      if (id) metrics.request(id, reply.statusCode)
    })
    // Streams and long-polls would hold the listening socket open: end them first.
    app.addHook('preClose', async () => {
      ctx.claims.close()
      for (const end of [...ctx.streams]) end()
      ctx.streams.clear()
    })
    // Entries of changes already answered are written before the Conveyor may close.
    app.addHook('onClose', async () => {
      await ctx.audit.settled()
      hub.close()
    })

    const document = buildOpenApiDocument()
    await app.register(fastifySwagger, { mode: 'static', specification: { document: document as never } })
    await app.register(fastifySwaggerUi, { routePrefix: '/api/docs' })

    // First: its cookie hook authenticates the dashboard's calls to every route below.
    await sessionRoutes(app, ctx)
    healthRoutes(app, ctx)
    addRoute(app, ctx, 'openapi', async () => document as RouteResponse<'openapi'>)
    jobRoutes(app, ctx)
    fileRoutes(app, ctx)
    workerRoutes(app, ctx)
    queueRoutes(app, ctx)
    scheduleRoutes(app, ctx)
    metricsRoutes(app, ctx)
    alertRoutes(app, ctx)
    auditRoutes(app, ctx)
    accessRoutes(app, ctx)
    eventRoutes(app, ctx)
    await dashboardFiles(app)
  } catch (err) {
    hub.close()
    await app.close().catch(() => undefined)
    throw err
  }
  return app
}
