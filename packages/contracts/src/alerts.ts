import { z } from 'zod'
import { text } from './fields.ts'
import { LIMITS } from './limits.ts'

export const ALERT_KINDS = ['failure_rate', 'queue_depth', 'oldest_pending_age', 'no_worker', 'schedule_missed', 'job_running_longer'] as const

const timestamp = z.iso.datetime({ offset: true })

/** POST /api/alerts/rules. */
export const alertRuleBodySchema = z
  .strictObject({
    name: text(LIMITS.name).meta({ description: 'unique' }),
    kind: z.enum(ALERT_KINDS).meta({
      description:
        'failure_rate: failed / finished over windowMs above threshold (0..1); queue_depth: ready jobs above threshold; ' +
        'oldest_pending_age: the oldest ready job older than threshold ms; no_worker: a queue with ready jobs and no live worker; ' +
        "schedule_missed: a schedule's due tick did not run; job_running_longer: a job running longer than threshold ms",
    }),
    queue: text(LIMITS.name).nullable().optional(),
    type: text(LIMITS.name).nullable().optional(),
    threshold: z
      .number()
      .min(0)
      .optional()
      .meta({ description: 'default 0; for failure_rate a fraction from 0 to 1 (a larger one is refused, on a change too)' }),
    windowMs: z.number().int().min(1000).max(30 * 24 * 3600_000).optional().meta({ description: 'default 300000' }),
    webhookUrl: z
      .url({ protocol: /^https?$/ })
      .max(2048)
      .nullable()
      .optional()
      .meta({
        description:
          'http(s); never a link-local (169.254.0.0/16, fe80::/10) or cloud metadata address, refused here and, for a name, after resolution when called; loopback and private networks are allowed. Redirects are not followed.',
      }),
    format: z.enum(['json', 'slack']).optional().meta({ description: 'slack: a Slack-compatible { text } body; default json' }),
    cooldownMs: z.number().int().min(0).max(7 * 24 * 3600_000).optional().meta({ description: 'a rule firing again within this long after resolving stays silent; default 900000' }),
    enabled: z.boolean().optional().meta({ description: 'default true' }),
  })
  .meta({ id: 'AlertRuleInput' })
export type AlertRuleBody = z.input<typeof alertRuleBodySchema>
export const alertRulePatchBodySchema = alertRuleBodySchema.partial()
export type AlertRulePatchBody = z.input<typeof alertRulePatchBodySchema>

export const alertRuleSchema = z
  .object({
    id: z.uuid(),
    name: z.string(),
    kind: z.enum(ALERT_KINDS),
    queue: z.string().nullable(),
    type: z.string().nullable(),
    threshold: z.number(),
    windowMs: z.number().int(),
    webhookUrl: z.string().nullable(),
    format: z.enum(['json', 'slack']),
    cooldownMs: z.number().int(),
    enabled: z.boolean(),
    createdAt: timestamp,
    updatedAt: timestamp,
  })
  .meta({ id: 'AlertRule' })

export const alertEventSchema = z
  .object({
    id: z.uuid(),
    ruleId: z.uuid(),
    ruleName: z.string(),
    ruleKind: z.enum(ALERT_KINDS),
    state: z.enum(['firing', 'resolved']),
    value: z.number().nullable(),
    message: z.string(),
    firedAt: timestamp,
    resolvedAt: timestamp.nullable(),
    deliveredAt: timestamp.nullable(),
    deliveryError: z.string().nullable(),
  })
  .meta({ id: 'AlertEvent' })

export const alertRuleIdParamsSchema = z.strictObject({ id: z.string().max(64) })
export const alertRuleResponseSchema = z.object({ rule: alertRuleSchema })
export const alertRulesResponseSchema = z.object({ rules: z.array(alertRuleSchema) })
export const alertRuleDeletedResponseSchema = z.object({ deleted: z.string() })
export const alertHistoryQuerySchema = z.strictObject({
  limit: z.coerce.number().int().min(1).max(500).optional().meta({ description: 'incidents, newest first; default 100' }),
})
export const alertHistoryResponseSchema = z.object({ events: z.array(alertEventSchema) })
export const alertTestResponseSchema = z.object({
  delivered: z.boolean(),
  /** Why the webhook did not take the message (its status or the network error). */
  error: z.string().nullable(),
})
