import fastifyCookie from '@fastify/cookie'
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import { z } from 'zod'
import { SESSION_REQUESTS } from '../audit.ts'
import type { Caller } from '../auth.ts'
import type { ServerContext } from '../context.ts'
import { HttpError, parseRequestPart } from '../errors.ts'
import { crossOriginReason, MUTATING_METHODS } from '../same-origin.ts'
import { type Session, SESSION_COOKIE, SESSION_EXPIRY, SESSION_SECRET_NAME, SESSION_TTL_MS, SessionSealer } from '../session-cookie.ts'

/** Roles that may sign in to the dashboard: those that read every job. */
const DASHBOARD_ROLES: ReadonlySet<string> = new Set(['admin', 'producer', 'viewer'])

/** The error code of a cookie-session mutation from another origin (403). */
export const CROSS_SITE_CODE = 'cross_site_request'

export const signInBodySchema = z.strictObject({ key: z.string().trim().min(1).max(1000) })

/** The answer of every /api/session route. */
export interface SessionAnswer {
  session: { role: string; name: string; expiresAt: string | null } | null
}

/**
 * The dashboard's sign-in: POST /api/session `{ key }` sets an httpOnly, SameSite=Strict session
 * cookie (the key sealed inside, see session-cookie.ts), DELETE /api/session signs out, GET
 * /api/session says who is signed in. An /api request with the cookie and no Authorization header is
 * authenticated as a bearer call with the session's key, so it has exactly that key's role and is
 * refused once the key is revoked; a mutation that way must come from the server's own origin.
 *
 * Registered before the other routes: the cookie hook must run on all of them.
 */
export async function sessionRoutes(app: FastifyInstance, ctx: ServerContext): Promise<void> {
  const sealer = new SessionSealer(await ctx.keys.secret(SESSION_SECRET_NAME))
  const sessions = new WeakMap<FastifyRequest, Session>()
  await app.register(fastifyCookie, { secret: sealer.signingSecret })

  const sessionOf = (request: FastifyRequest): Session | null => {
    const raw = request.cookies[SESSION_COOKIE]
    if (!raw) return null
    const unsigned = request.unsignCookie(raw)
    return unsigned.valid && unsigned.value !== null ? sealer.open(unsigned.value) : null
  }
  const refuseCrossSite = (request: FastifyRequest, reply: FastifyReply): boolean => {
    const reason = crossOriginReason(request)
    if (reason === null) return false
    reply.code(403).send({
      error: { code: CROSS_SITE_CODE, message: `a change from a cookie session must come from this server's own pages (${reason})` },
    })
    return true
  }

  app.addHook('onRequest', async (request, reply) => {
    if (!request.url.startsWith('/api/') || request.headers.authorization !== undefined) return
    const session = sessionOf(request)
    if (!session) return
    if (MUTATING_METHODS.has(request.method) && refuseCrossSite(request, reply)) return reply
    sessions.set(request, session)
    SESSION_EXPIRY.set(request, session.exp)
    SESSION_REQUESTS.add(request) // the audit log names the key and says it came through the dashboard
    request.headers.authorization = `Bearer ${session.key}`
  })

  const answer = (caller: Caller, expiresAt: number | null): SessionAnswer => ({
    session: {
      role: caller.role,
      name: caller.role === 'user' ? caller.owner : caller.name,
      expiresAt: expiresAt === null ? null : new Date(expiresAt).toISOString(),
    },
  })
  const cookieOptions = (request: FastifyRequest) => ({
    path: '/',
    httpOnly: true,
    sameSite: 'strict' as const,
    secure: request.protocol === 'https',
  })

  app.post('/api/session', async (request, reply): Promise<SessionAnswer | FastifyReply> => {
    // Signing in from another site would sign the browser in to the attacker's choice of key.
    if (refuseCrossSite(request, reply)) return reply
    const { key } = parseRequestPart(signInBodySchema, request.body, 'body')
    const caller = await ctx.auth.authenticate(`Bearer ${key}`)
    if (!DASHBOARD_ROLES.has(caller.role))
      throw new HttpError('forbidden', `a ${caller.role === 'user' ? 'user token' : `${caller.role} key`} cannot sign in to the dashboard: use an admin, producer or viewer key`)
    const { value, session } = sealer.seal(key)
    reply.setCookie(SESSION_COOKIE, value, { ...cookieOptions(request), signed: true, maxAge: SESSION_TTL_MS / 1000 })
    return answer(caller, session.exp)
  })

  app.get('/api/session', async (request, reply): Promise<SessionAnswer> => {
    if (request.headers.authorization === undefined) {
      if (request.cookies[SESSION_COOKIE]) reply.clearCookie(SESSION_COOKIE, cookieOptions(request))
      return { session: null }
    }
    const session = sessions.get(request)
    try {
      return answer(await ctx.auth.authenticate(request.headers.authorization), session?.exp ?? null)
    } catch (err) {
      // A session whose key was revoked is over: say so rather than failing.
      if (!session || !(err instanceof HttpError) || err.code !== 'unauthorized') throw err
      reply.clearCookie(SESSION_COOKIE, cookieOptions(request))
      return { session: null }
    }
  })

  app.delete('/api/session', async (request, reply): Promise<SessionAnswer> => {
    const session = sessions.get(request)
    if (session) sealer.signOut(session)
    reply.clearCookie(SESSION_COOKIE, cookieOptions(request))
    return { session: null }
  })
}
