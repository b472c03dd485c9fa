import { existsSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import fastifyStatic from '@fastify/static'
import type { FastifyInstance, FastifyReply } from 'fastify'

/** Where `npm run build -w @conveyor/dashboard` writes the dashboard. */
export const DASHBOARD_DIST = fileURLToPath(new URL('../../../dashboard/dist/', import.meta.url))

/**
 * The dashboard's pages may load scripts, styles and data from this server only: no inline script, no
 * other origin, no framing. React sets style properties through the DOM (not style attributes), so
 * style-src needs no 'unsafe-inline' either.
 */
export const DASHBOARD_CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "frame-ancestors 'none'",
  "object-src 'none'",
  "base-uri 'self'",
  "form-action 'self'",
].join('; ')

const NOT_BUILT = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Conveyor</title></head>
<body><h1>Conveyor</h1>
<p>The dashboard is not built yet. Run <code>npm run build -w @conveyor/dashboard</code> (or <code>npm run build</code> at the root), then reload this page.</p>
<p>The HTTP API is up: see <a href="/api/docs">/api/docs</a>.</p>
</body></html>
`

/**
 * Serves the built dashboard at `/`: hashed files under /assets (cached for a year), the files at the
 * top of dist, and index.html for every other non-API path (the single-page app routes itself). Every
 * answer carries the Content-Security-Policy and nosniff. A missing build is looked for on each
 * request, so building after the server started needs no restart.
 */
export async function dashboardFiles(app: FastifyInstance, dist: string = DASHBOARD_DIST): Promise<void> {
  await app.register(async (scope) => {
    scope.addHook('onSend', async (_request, reply, payload) => {
      reply.header('content-security-policy', DASHBOARD_CSP)
      reply.header('x-content-type-options', 'nosniff')
      reply.header('referrer-policy', 'same-origin')
      return payload
    })
    await scope.register(fastifyStatic, {
      root: `${dist}assets`,
      prefix: '/assets/',
      index: false,
      immutable: true,
      maxAge: '365d',
      // A file that is not there answers the API's 404, not the app.
      wildcard: true,
    })

    const built = () => existsSync(`${dist}index.html`)
    // The assets' year-long cache is the plugin's default; the app page must be revalidated every time.
    const own = { cacheControl: false }
    const sendIndex = (reply: FastifyReply) => reply.header('cache-control', 'no-cache').sendFile('index.html', dist, own)

    scope.get('/', async (_request, reply) => (built() ? sendIndex(reply) : notBuilt(reply)))
    scope.get('/*', async (request, reply) => {
      const path = request.url.split('?')[0] ?? '/'
      if (path.startsWith('/api/') || path === '/api') return reply.callNotFound()
      if (!built()) return notBuilt(reply)
      // A file at the top of dist (favicon.svg, robots.txt); names only, never a path.
      const name = path.slice(1)
      if (/^[\w-]+(\.[\w-]+)*\.\w+$/.test(name) && name !== 'index.html' && existsSync(`${dist}${name}`))
        return reply.header('cache-control', 'public, max-age=3600').sendFile(name, dist, own)
      return sendIndex(reply)
    })
  })
}

function notBuilt(reply: FastifyReply) {
  return reply.code(503).header('cache-control', 'no-store').type('text/html; charset=utf-8').send(NOT_BUILT)
}
