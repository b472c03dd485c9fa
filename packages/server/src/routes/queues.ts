import type { FastifyInstance } from 'fastify'
import type { ServerContext } from '../context.ts'
import { addRoute } from '../route.ts'
import { toApiQueue } from '../serialize.ts'

export function queueRoutes(app: FastifyInstance, ctx: ServerContext): void {
  addRoute(app, ctx, 'listQueues', async (_call, ctx) => ({ queues: (await ctx.conveyor.listQueues()).map(toApiQueue) }))
  addRoute(app, ctx, 'pauseQueue', async ({ params }, ctx) => ({ queue: await ctx.conveyor.pauseQueue(params.name) }))
  addRoute(app, ctx, 'resumeQueue', async ({ params }, ctx) => ({ queue: await ctx.conveyor.resumeQueue(params.name) }))
}
