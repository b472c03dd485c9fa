import { nextTicks, parseCron, type Schedule } from '@conveyor/core'
import type { FastifyInstance } from 'fastify'
import type { ServerContext } from '../context.ts'
import { HttpError } from '../errors.ts'
import { addRoute } from '../route.ts'
import { toApiJob, toApiSchedule } from '../serialize.ts'

const NEXT_RUNS = 5
const RECENT_RUNS = 20

/** A schedule with its next five runs (none while disabled). */
const withNextRuns = (s: Schedule, recent?: Parameters<typeof toApiSchedule>[2]) =>
  toApiSchedule(s, s.enabled ? nextTicks(parseCron(s.cron, s.timezone), NEXT_RUNS) : [], recent)

async function found(ctx: ServerContext, id: string): Promise<Schedule> {
  const s = await ctx.conveyor.schedules.get(id)
  if (!s) throw new HttpError('schedule_not_found', `schedule ${id} not found`)
  return s
}

/** Cron schedules: list, create, read (with recent runs), change, remove, run now. */
export function scheduleRoutes(app: FastifyInstance, ctx: ServerContext): void {
  addRoute(app, ctx, 'listSchedules', async (_call, ctx) => ({
    schedules: (await ctx.conveyor.schedules.list()).map((s) => withNextRuns(s)),
  }))

  addRoute(app, ctx, 'createSchedule', async ({ body }, ctx) => ({
    schedule: withNextRuns(await ctx.conveyor.schedules.create(body)),
  }))

  addRoute(app, ctx, 'getSchedule', async ({ params }, ctx) => {
    const s = await found(ctx, params.id)
    return { schedule: withNextRuns(s, await ctx.conveyor.schedules.recentTicks(s.id, RECENT_RUNS)) }
  })

  addRoute(app, ctx, 'updateSchedule', async ({ params, body }, ctx) => ({
    schedule: withNextRuns(await ctx.conveyor.schedules.update(params.id, body)),
  }))

  addRoute(app, ctx, 'deleteSchedule', async ({ params }, ctx) => {
    await ctx.conveyor.schedules.remove(params.id)
    return { deleted: params.id }
  })

  addRoute(app, ctx, 'triggerSchedule', async ({ params }, ctx) => {
    const job = await ctx.conveyor.schedules.trigger(params.id)
    ctx.metrics.enqueued(job.queue)
    return { job: toApiJob(job) }
  })
}
