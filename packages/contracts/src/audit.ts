import { z } from 'zod'
import { LIMITS } from './limits.ts'

/** GET /api/audit: newest first, a page at a time (`before` = the previous page's nextBefore). */
export const auditQuerySchema = z.strictObject({
  limit: z.coerce.number().int().min(1).transform((n) => Math.min(n, 500)).optional().meta({ description: 'default 100; at most 500' }),
  before: z.uuid().optional().meta({ description: 'entries older than this entry id (the nextBefore of the previous page)' }),
  action: z.string().max(64).optional().meta({ description: 'e.g. job.cancel, key.create, schedule.update' }),
  actor: z.string().max(LIMITS.key).optional().meta({ description: "a key's name or a user token's owner" }),
})

export const auditEntrySchema = z
  .object({
    id: z.uuid(),
    at: z.iso.datetime({ offset: true }),
    actor: z.string().meta({ description: "the key's name, or the user token's owner" }),
    actorKind: z.enum(['key', 'token', 'session', 'system', 'cli']).meta({ description: 'session: the dashboard, signed in with the named key' }),
    action: z.string(),
    target: z.string().nullable().meta({ description: 'the id (or name) acted on' }),
    details: z
      .record(z.string(), z.unknown())
      .meta({ description: "what was done (e.g. count, affected, name); for a key, also actorRole and actorKeyId" }),
  })
  .meta({ id: 'AuditEntry' })

export const auditResponseSchema = z.object({
  entries: z.array(auditEntrySchema),
  nextBefore: z.uuid().nullable().meta({ description: 'pass as `before` for the next page; null on the last one' }),
})
