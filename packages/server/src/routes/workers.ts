import { isUuid } from '@conveyor/core'
import type { FastifyInstance } from 'fastify'
import type { ServerContext } from '../context.ts'
import { HttpError } from '../errors.ts'
import { addRoute } from '../route.ts'
import { toApiJob, toApiWorker } from '../serialize.ts'

const DEFAULT_LEASE_MS = 30_000

/**
 * A fenced update changed nothing: the job is missing (404), or this worker does not hold its current
 * attempt (409 lease_lost: the lease expired and the reaper or another worker moved it on).
 */
async function refused(ctx: ServerContext, id: string, workerId: string): Promise<never> {
  const status = isUuid(id) ? await ctx.conveyor.jobs.status(id) : null
  if (status === null) throw new HttpError('job_not_found', `job ${id} not found`)
  throw new HttpError('lease_lost', `worker ${workerId} does not hold job ${id} (it is ${status}): drop it without reporting`, { status })
}

/** The job after a worker's update, as the answer shows it. */
async function current(ctx: ServerContext, id: string) {
  const job = await ctx.conveyor.jobs.get(id)
  if (!job) throw new HttpError('job_not_found', `job ${id} not found`)
  return { job: toApiJob(job) }
}

/** Workers over HTTP: the same fenced operations as in-process workers, for any language. */
export function workerRoutes(app: FastifyInstance, ctx: ServerContext): void {
  addRoute(app, ctx, 'claimJobs', async ({ body, reply }, ctx) => {
    const req = {
      workerId: body.workerId,
      queues: body.queues ?? ['default'],
      types: body.types ?? null,
      limit: body.limit ?? 1,
      leaseMs: body.leaseMs ?? DEFAULT_LEASE_MS,
    }
    ctx.workers.claimed(req.workerId, req)
    // The caller hanging up ends a long-poll; jobs claimed for it at that moment are handed back.
    const gone = new AbortController()
    const onClose = () => {
      if (!reply.raw.writableFinished) gone.abort()
    }
    reply.raw.on('close', onClose)
    try {
      const jobs = await ctx.claims.claim(req, body.waitMs ?? 0, gone.signal)
      return { jobs: jobs.map(toApiJob) }
    } finally {
      reply.raw.off('close', onClose)
    }
  })

  addRoute(app, ctx, 'endClaimWait', async ({ body }, ctx) => ({ ended: ctx.claims.end(body.workerId) }))

  addRoute(app, ctx, 'heartbeatJob', async ({ params, body }, ctx) => {
    const held = isUuid(params.id)
      ? await ctx.conveyor.jobs.heartbeat(body.workerId, [{ id: params.id, attempt: body.attempt }], body.leaseMs ?? DEFAULT_LEASE_MS)
      : new Map<string, boolean>()
    const cancelRequested = held.get(params.id)
    if (cancelRequested === undefined) return refused(ctx, params.id, body.workerId)
    ctx.workers.seen(body.workerId)
    return { cancelRequested }
  })

  addRoute(app, ctx, 'progressJob', async ({ params, body }, ctx) => {
    const written = isUuid(params.id)
      ? await ctx.conveyor.jobs.progress(body.workerId, [
          { id: params.id, attempt: body.attempt, progress: body.progress, message: body.message },
        ])
      : new Set<string>()
    if (!written.has(params.id)) return refused(ctx, params.id, body.workerId)
    return current(ctx, params.id)
  })

  addRoute(app, ctx, 'completeJob', async ({ params, body }, ctx) => {
    const done = isUuid(params.id)
      ? await ctx.conveyor.jobs.complete(body.workerId, [{ id: params.id, attempt: body.attempt, result: body.result }])
      : new Set<string>()
    if (!done.has(params.id)) return refused(ctx, params.id, body.workerId)
    return current(ctx, params.id)
  })

  addRoute(app, ctx, 'failJob', async ({ params, body }, ctx) => {
    const error = { message: body.error.message, name: body.error.name ?? 'Error', ...(body.error.stack ? { stack: body.error.stack } : {}) }
    const failed = isUuid(params.id)
      ? await ctx.conveyor.jobs.fail(body.workerId, [
          { id: params.id, attempt: body.attempt, error, retryable: body.retryable ?? true, outcome: body.outcome ?? 'failed' },
        ])
      : new Map()
    if (!failed.has(params.id)) return refused(ctx, params.id, body.workerId)
    return current(ctx, params.id)
  })

  addRoute(app, ctx, 'releaseJob', async ({ params, body }, ctx) => {
    const released = isUuid(params.id) ? await ctx.conveyor.jobs.release(body.workerId, [params.id], body.attempt) : []
    if (!released.includes(params.id)) return refused(ctx, params.id, body.workerId)
    return current(ctx, params.id)
  })

  addRoute(app, ctx, 'listWorkers', async (_call, ctx) => ({
    workers: (await ctx.conveyor.jobs.listWorkers()).map(toApiWorker),
  }))
}
