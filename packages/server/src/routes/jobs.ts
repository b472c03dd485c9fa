import type { EnqueueBody } from '@conveyor/contracts'
import type { FastifyInstance } from 'fastify'
import { type Caller, scopeOf } from '../auth.ts'
import type { ServerContext } from '../context.ts'
import { HttpError } from '../errors.ts'
import { addRoute, type RouteHandler } from '../route.ts'
import { toApiJob } from '../serialize.ts'

/**
 * A user token enqueues for its own owner only: the owner comes from the token. A body naming another
 * owner is refused rather than silently rewritten, so a client bug shows.
 */
function ownedBy(caller: Caller, input: EnqueueBody, path: string): EnqueueBody {
  if (caller.role !== 'user') return input
  if (input.owner !== undefined && input.owner !== caller.owner)
    throw new HttpError('forbidden', 'a user token enqueues jobs for its own owner only', [
      { in: 'body', path, message: "must be absent or the token's owner" },
    ])
  return { ...input, owner: caller.owner }
}

/** Takes `cost` enqueues from the caller's rate limit (per API key, or per user token's owner). */
function rateLimit(ctx: ServerContext, caller: Caller, cost: number): void {
  if (caller.role === 'user') ctx.limits.token?.take(`user:${caller.owner}`, cost)
  else ctx.limits.key?.take(`key:${caller.keyId}`, cost)
}

const enqueue: RouteHandler<'enqueueJob' | 'enqueueJobAlias'> = async ({ caller, body, reply }, ctx) => {
  rateLimit(ctx, caller, 1)
  // submit() attaches uploaded files (body.files) in the job's own transaction.
  const { job, duplicate } = await ctx.conveyor.submit(ownedBy(caller, body, 'owner'))
  if (duplicate) {
    reply.code(200)
    return { success: true as const, job: toApiJob(job), duplicate: true }
  }
  ctx.metrics.enqueued(job.queue)
  return { success: true as const, job: toApiJob(job) }
}

export function jobRoutes(app: FastifyInstance, ctx: ServerContext): void {
  addRoute(app, ctx, 'enqueueJob', enqueue)
  addRoute(app, ctx, 'enqueueJobAlias', enqueue)

  addRoute(app, ctx, 'enqueueBatch', async ({ caller, body }, ctx) => {
    rateLimit(ctx, caller, body.jobs.length)
    const inputs = body.jobs.map((j, i) => ownedBy(caller, j, `jobs.${i}.owner`))
    const results = await ctx.conveyor.jobs.enqueueMany(inputs)
    for (const r of results) if (!r.duplicate) ctx.metrics.enqueued(r.job.queue)
    return { jobs: results.map((r) => toApiJob(r.job)) }
  })

  addRoute(app, ctx, 'listJobs', async ({ caller, query }, ctx) => {
    const list = await ctx.conveyor.jobs.list(query, scopeOf(caller))
    return { jobs: list.jobs.map(toApiJob), count: list.count, nextCursor: list.nextCursor }
  })

  addRoute(app, ctx, 'jobStats', async ({ caller, query }, ctx) => {
    const stats = await ctx.conveyor.jobs.stats(query, scopeOf(caller))
    return { stats: { ...stats, claimed: stats.running } }
  })

  addRoute(app, ctx, 'getJob', async ({ caller, params }, ctx) => {
    const job = await ctx.conveyor.jobs.get(params.id, scopeOf(caller))
    if (!job) throw new HttpError('job_not_found', `job ${params.id} not found`)
    return { job: toApiJob(job) }
  })

  addRoute(app, ctx, 'cancelJob', async ({ caller, params }, ctx) => ({
    success: true as const,
    job: toApiJob(await ctx.conveyor.jobs.cancel(params.id, scopeOf(caller))),
  }))

  addRoute(app, ctx, 'retryJob', async ({ caller, params }, ctx) => ({
    success: true as const,
    job: toApiJob(await ctx.conveyor.jobs.retry(params.id, scopeOf(caller))),
  }))

  addRoute(app, ctx, 'deleteJob', async ({ caller, params }, ctx) => {
    await ctx.conveyor.jobs.remove(params.id, scopeOf(caller))
    return { success: true as const, deleted: params.id }
  })

  addRoute(app, ctx, 'purgeJobs', async ({ caller, query }, ctx) => ({
    success: true as const,
    purged: await ctx.conveyor.jobs.purge(query, scopeOf(caller)),
  }))

  addRoute(app, ctx, 'bulkJobs', async ({ caller, body }, ctx) => ({
    affected: await ctx.conveyor.jobs.bulk(body, scopeOf(caller)),
  }))
}
