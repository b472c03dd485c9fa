import type { FastifyInstance } from 'fastify'

const ALLOWED_HEADERS = 'authorization, content-type'
const ALLOWED_METHODS = 'GET, POST, DELETE'
const PREFLIGHT_MAX_AGE_SECONDS = 600

/**
 * Cross-origin calls from browsers, for apps whose pages call Conveyor directly with a user token
 * (another origin than the server's). Only the listed origins (or any, with "*") get CORS headers;
 * credentials are bearer tokens, never cookies, so Access-Control-Allow-Credentials is never sent
 * and the dashboard's session cookie stays same-origin.
 */
export function allowCrossOrigin(app: FastifyInstance, origins: readonly string[]): void {
  if (origins.length === 0) return
  const any = origins.includes('*')
  const listed = new Set(origins.map((o) => o.toLowerCase()))
  app.addHook('onRequest', async (request, reply) => {
    const origin = request.headers.origin
    if (!origin || !request.url.startsWith('/api/') || !(any || listed.has(origin.toLowerCase()))) return
    reply.header('access-control-allow-origin', any ? '*' : origin)
    if (!any) reply.header('vary', 'Origin')
    if (request.method === 'OPTIONS' && request.headers['access-control-request-method']) {
      reply
        .code(204)
        .header('access-control-allow-methods', ALLOWED_METHODS)
        .header('access-control-allow-headers', ALLOWED_HEADERS)
        .header('access-control-max-age', String(PREFLIGHT_MAX_AGE_SECONDS))
        .send()
      return reply
    }
  })
}
