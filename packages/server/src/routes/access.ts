import type { FastifyInstance } from 'fastify'
import type { ServerContext } from '../context.ts'
import { HttpError } from '../errors.ts'
import { addRoute } from '../route.ts'
import { toApiKey } from '../serialize.ts'

const DEFAULT_TOKEN_TTL_SECONDS = 3600

/** API keys (admin) and user tokens (admin, producer). */
export function accessRoutes(app: FastifyInstance, ctx: ServerContext): void {
  addRoute(app, ctx, 'createKey', async ({ body }, ctx) => {
    const { key, info } = await ctx.keys.create(body)
    return { key, id: info.id, name: info.name, role: info.role }
  })

  addRoute(app, ctx, 'listKeys', async (_call, ctx) => ({ keys: (await ctx.keys.list()).map(toApiKey) }))

  addRoute(app, ctx, 'revokeKey', async ({ params }, ctx) => {
    const info = await ctx.keys.revoke(params.id)
    if (!info) throw new HttpError('not_found', `API key ${params.id} not found`)
    ctx.auth.forgetAll()
    return { key: toApiKey(info) }
  })

  addRoute(app, ctx, 'createToken', async ({ body }, ctx) => {
    const { token, expiresAt } = ctx.tokens.sign(body.owner, body.ttlSeconds ?? DEFAULT_TOKEN_TTL_SECONDS)
    return { token, owner: body.owner, expiresAt: expiresAt.toISOString() }
  })
}
