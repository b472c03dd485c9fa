import { z } from 'zod'

export const healthResponseSchema = z.object({ ok: z.literal(true) })
export const readyResponseSchema = z.object({
  ok: z.boolean(),
  database: z.enum(['ok', 'unreachable']),
})
