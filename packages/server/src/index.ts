/**
 * @conveyor/server: Conveyor's HTTP API (Fastify): jobs, workers over HTTP, queues, keys, user
 * tokens, live events (SSE), Prometheus metrics and the OpenAPI document.
 */
export { buildApp, TOKEN_SECRET_NAME } from './app.ts'
export { startServer, bootstrapAdminKey, type RunningServer } from './start.ts'
export type { ServerConfig, RateLimit } from './config.ts'
export { ACCESS } from './access.ts'
export { buildOpenApiDocument } from './openapi.ts'
export { TokenSigner, TOKEN_PREFIX } from './tokens.ts'
export { HttpError } from './errors.ts'
