import { z } from 'zod'

export const healthResponseSchema = z.object({ ok: z.literal(true) })
export const readyResponseSchema = z.object({
  ok: z.boolean(),
  database: z.enum(['ok', 'unreachable']),
})

/** An OpenAPI 3.1 document (generated from these schemas). */
export const openApiDocumentSchema = z.looseObject({ openapi: z.string(), info: z.unknown(), paths: z.record(z.string(), z.unknown()) })
