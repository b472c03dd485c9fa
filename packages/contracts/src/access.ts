import { z } from 'zod'
import { text } from './fields.ts'
import { LIMITS } from './limits.ts'

/** What an API key may do; user tokens are a fifth kind of caller, bound to one owner. */
export const KEY_ROLES = ['admin', 'producer', 'worker', 'viewer'] as const
export type KeyRole = (typeof KEY_ROLES)[number]
/** Every kind of caller the access table knows: the key roles and `user` (a user token). */
export type CallerRole = KeyRole | 'user'
export const CALLER_ROLES: readonly CallerRole[] = [...KEY_ROLES, 'user']

export const createKeyBodySchema = z.strictObject({
  name: z.string().min(1).max(LIMITS.name),
  role: z.enum(KEY_ROLES).meta({
    description: 'admin: everything; producer: enqueue and manage jobs, mint user tokens; worker: claim and finish jobs; viewer: read only',
  }),
})
export const apiKeySchema = z.object({
  id: z.uuid(),
  name: z.string(),
  role: z.enum(KEY_ROLES),
  createdAt: z.string(),
  lastUsedAt: z.string().nullable(),
  revokedAt: z.string().nullable(),
})
export const createKeyResponseSchema = z.object({
  key: z.string().meta({ description: 'the secret; shown this once and never again' }),
  id: z.uuid(),
  name: z.string(),
  role: z.enum(KEY_ROLES),
})
export const keysResponseSchema = z.object({ keys: z.array(apiKeySchema) })
export const keyIdParamsSchema = z.strictObject({ id: z.string().max(64) })
export const keyResponseSchema = z.object({ key: apiKeySchema })

export const createTokenBodySchema = z.strictObject({
  owner: text(LIMITS.key).meta({ description: 'the user (or tenant) whose jobs the token sees and acts on' }),
  ttlSeconds: z
    .number()
    .int()
    .min(1)
    .max(LIMITS.tokenTtlSeconds)
    .optional()
    .meta({ description: `lifetime; default 3600, at most ${LIMITS.tokenTtlSeconds}` }),
})
export const tokenResponseSchema = z.object({
  token: z.string().meta({ description: 'send as Authorization: Bearer TOKEN (or ?token= on /api/events)' }),
  owner: z.string(),
  expiresAt: z.string(),
})
