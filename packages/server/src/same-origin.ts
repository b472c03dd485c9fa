import type { FastifyRequest } from 'fastify'

/** Methods that change something: from a cookie session they must come from the dashboard's own origin. */
export const MUTATING_METHODS: ReadonlySet<string> = new Set(['POST', 'PUT', 'PATCH', 'DELETE'])

/**
 * Why a request may not be trusted as coming from this server's own pages, or null when it may.
 * The session cookie is SameSite=Strict, so another site's page does not send it; this check is the
 * second wall, and it is stricter: another port of the same host is the same *site* (the cookie goes
 * along) but another *origin*, and is refused here. A browser sends Origin on every POST, PATCH and
 * DELETE; Sec-Fetch-Site and Referer are consulted too. A request with none of them is refused: only
 * a non-browser client omits all three, and it should send its key as a bearer credential instead.
 * Behind a reverse proxy, keep the Host header (or set trustProxy so X-Forwarded-Host is used).
 */
export function crossOriginReason(request: FastifyRequest): string | null {
  const own = `${request.protocol}://${request.host}`.toLowerCase()
  const fetchSite = header(request, 'sec-fetch-site')
  if (fetchSite !== undefined && fetchSite !== 'same-origin') return `Sec-Fetch-Site is ${fetchSite}`
  const origin = header(request, 'origin')
  if (origin !== undefined) return origin.toLowerCase() === own ? null : `Origin ${origin} is not ${own}`
  const referer = header(request, 'referer')
  if (referer !== undefined) {
    let from: string
    try {
      from = new URL(referer).origin.toLowerCase()
    } catch {
      return 'the Referer is not a URL'
    }
    return from === own ? null : `Referer origin ${from} is not ${own}`
  }
  return 'the request has no Origin or Referer'
}

function header(request: FastifyRequest, name: string): string | undefined {
  const v = request.headers[name]
  return Array.isArray(v) ? v[0] : v
}
