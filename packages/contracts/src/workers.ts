import { z } from 'zod'
import { text } from './fields.ts'
import { jobSchema } from './job.ts'
import { LIMITS } from './limits.ts'

const workerId = text(LIMITS.key).meta({ description: "the worker's name, unique among live workers" })
const attempt = z
  .number()
  .int()
  .min(1)
  .optional()
  .meta({ description: "the claimed job's attempts value; when given, only that attempt is accepted" })
const leaseMs = z.number().int().min(1).max(LIMITS.leaseMs)

/** POST /api/workers/claim. */
export const claimBodySchema = z.strictObject({
  workerId,
  queues: z.array(text(LIMITS.name)).min(1).max(100).optional().meta({ description: 'default ["default"]' }),
  types: z.array(text(LIMITS.name)).min(1).max(1000).optional().meta({ description: 'default: every type' }),
  limit: z.number().int().min(1).max(LIMITS.claim).optional().meta({ description: 'jobs to claim at most; default 1' }),
  leaseMs: leaseMs.optional().meta({ description: 'default 30000; renew it with heartbeats' }),
  waitMs: z
    .number()
    .int()
    .min(0)
    .max(LIMITS.waitMs)
    .optional()
    .meta({ description: 'when nothing is ready, wait up to this long for a job (long-poll); default 0' }),
})
export const claimResponseSchema = z.object({ jobs: z.array(jobSchema) })

export const heartbeatBodySchema = z.strictObject({ workerId, leaseMs: leaseMs.optional(), attempt })
export const heartbeatResponseSchema = z.object({
  cancelRequested: z.boolean().meta({ description: 'true: stop working on it and call fail (it ends cancelled)' }),
})

export const progressBodySchema = z.strictObject({
  workerId,
  progress: z.number().int().min(0).max(100),
  message: z.string().max(LIMITS.progressMessage).optional(),
  attempt,
})

export const completeBodySchema = z.strictObject({
  workerId,
  result: z.unknown().optional().meta({ description: "any JSON: the job's result" }),
  attempt,
})

export const failBodySchema = z.strictObject({
  workerId,
  error: z.strictObject({
    message: z.string().max(10_000),
    name: z.string().max(256).optional(),
    stack: z.string().max(8000).optional(),
  }),
  retryable: z.boolean().optional().meta({ description: 'default true: retried while attempts are left; false fails the job now' }),
  outcome: z
    .enum(['failed', 'timeout'])
    .optional()
    .meta({ description: "how the attempt ended, for its log: 'timeout' when it ran past the job's timeoutMs; default 'failed'" }),
  attempt,
})

/** POST /api/jobs/:id/release. */
export const releaseBodySchema = z.strictObject({ workerId, attempt })

/** POST /api/workers/claim/end: a stopping worker's waiting long-poll claims answer now. */
export const endClaimWaitBodySchema = z.strictObject({ workerId })
export const endClaimWaitResponseSchema = z.object({
  ended: z.number().int().min(0).meta({ description: "this worker's claims that were waiting for work and now answer (with no jobs)" }),
})

export const workerSchema = z.object({
  id: z.string(),
  queues: z.array(z.string()),
  types: z.array(z.string()),
  concurrency: z.number().int(),
  runningJobs: z.number().int(),
  hostname: z.string().nullable(),
  pid: z.number().int().nullable(),
  startedAt: z.string(),
  lastSeenAt: z.string(),
})
export const workersResponseSchema = z.object({ workers: z.array(workerSchema) })
