import type { AlertRule } from '@conveyor/core'
import type { FastifyInstance } from 'fastify'
import type { ServerContext } from '../context.ts'
import { HttpError } from '../errors.ts'
import { addRoute } from '../route.ts'
import { toApiAlertEvent, toApiAlertRule } from '../serialize.ts'

async function found(ctx: ServerContext, id: string): Promise<AlertRule> {
  const rule = await ctx.conveyor.alerts.get(id)
  if (!rule) throw new HttpError('alert_rule_not_found', `alert rule ${id} not found`)
  return rule
}

/** Alert rules, their incident history, and a test message to a rule's webhook. */
export function alertRoutes(app: FastifyInstance, ctx: ServerContext): void {
  addRoute(app, ctx, 'listAlertRules', async (_call, ctx) => ({ rules: (await ctx.conveyor.alerts.list()).map(toApiAlertRule) }))
  addRoute(app, ctx, 'createAlertRule', async ({ body }, ctx) => ({ rule: toApiAlertRule(await ctx.conveyor.alerts.create(body)) }))
  addRoute(app, ctx, 'getAlertRule', async ({ params }, ctx) => ({ rule: toApiAlertRule(await found(ctx, params.id)) }))
  addRoute(app, ctx, 'updateAlertRule', async ({ params, body }, ctx) => ({
    rule: toApiAlertRule(await ctx.conveyor.alerts.update(params.id, body)),
  }))
  addRoute(app, ctx, 'deleteAlertRule', async ({ params }, ctx) => {
    await ctx.conveyor.alerts.remove(params.id)
    return { deleted: params.id }
  })
  addRoute(app, ctx, 'testAlertRule', async ({ params }, ctx) => {
    const rule = await found(ctx, params.id)
    if (!rule.webhookUrl)
      throw new HttpError('invalid_input', 'this rule has no webhookUrl to test; set one with PATCH /api/alerts/rules/:id')
    return ctx.conveyor.alertEvaluator.sendTest(rule)
  })
  addRoute(app, ctx, 'alertHistory', async ({ query }, ctx) => ({
    events: (await ctx.conveyor.alerts.history(query.limit ?? 100)).map(toApiAlertEvent),
  }))
}
