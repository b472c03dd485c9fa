import { z } from 'zod'
import { LIMITS } from './limits.ts'

export const queueSchema = z.object({
  name: z.string(),
  paused: z.boolean(),
  pending: z.number().int(),
  running: z.number().int(),
  completed: z.number().int(),
  failed: z.number().int(),
  cancelled: z.number().int(),
  oldestPendingAt: z.string().nullable().meta({ description: 'runAt of the oldest job ready to run' }),
})
export const queuesResponseSchema = z.object({ queues: z.array(queueSchema) })
export const queueNameParamsSchema = z.strictObject({ name: z.string().min(1).max(LIMITS.name) })
export const queuePausedResponseSchema = z.object({ queue: z.object({ name: z.string(), paused: z.boolean() }) })
