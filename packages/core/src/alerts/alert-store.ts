import { newId } from '../ids.ts'
import { z } from 'zod'
import type { Db } from '../db/db.ts'
import { ConveyorError, ErrorCodes, isUniqueViolation, translatePgError } from '../errors.ts'
import { LIMITS, parseInput } from '../jobs/input.ts'
import { isUuid } from '../jobs/job-store.ts'
import { type AlertQueries, buildAlertQueries } from './queries.ts'
import { webhookUrlRefusal } from './webhook.ts'

export const ALERT_KINDS = ['failure_rate', 'queue_depth', 'oldest_pending_age', 'no_worker', 'schedule_missed', 'job_running_longer'] as const
export type AlertKind = (typeof ALERT_KINDS)[number]

/** The fields of a rule, each checked alone (what a change may name). */
const alertRuleFields = z
  .object({
    name: z.string().min(1).max(LIMITS.name),
    /**
     * failure_rate: failed / finished over windowMs above threshold (0..1);
     * queue_depth: ready pending jobs above threshold; oldest_pending_age: the oldest ready job older
     * than threshold ms; no_worker: a queue with ready jobs and no live worker; schedule_missed: a
     * schedule's due tick did not run; job_running_longer: a job running longer than threshold ms.
     */
    kind: z.enum(ALERT_KINDS),
    queue: z.string().min(1).max(LIMITS.name).nullable().optional(),
    type: z.string().min(1).max(LIMITS.name).nullable().optional(),
    threshold: z.number().min(0).default(0),
    windowMs: z.number().int().min(1000).max(30 * 24 * 3600_000).default(300_000),
    webhookUrl: z
      .url({ protocol: /^https?$/ })
      .max(2048)
      .superRefine((url, ctx) => {
        const refused = webhookUrlRefusal(url)
        if (refused) ctx.addIssue({ code: 'custom', message: refused })
      })
      .nullable()
      .optional(),
    format: z.enum(['json', 'slack']).default('json'),
    cooldownMs: z.number().int().min(0).max(7 * 24 * 3600_000).default(900_000),
    enabled: z.boolean().default(true),
  })
  .strict()

/** A whole rule: its fields, and a threshold that fits its kind (a failure rate is a fraction). */
export const alertRuleInputSchema = alertRuleFields.superRefine((rule, ctx) => {
  if (rule.kind === 'failure_rate' && rule.threshold > 1)
    ctx.addIssue({
      code: 'custom',
      path: ['threshold'],
      message: `a failure_rate threshold is a fraction of finished jobs from 0 to 1 (0.2 is 20%), not ${rule.threshold}`,
    })
})
export type AlertRuleInput = z.input<typeof alertRuleInputSchema>
type Parsed = z.output<typeof alertRuleInputSchema>

export interface AlertRule {
  id: string
  name: string
  kind: AlertKind
  queue: string | null
  type: string | null
  threshold: number
  windowMs: number
  webhookUrl: string | null
  format: 'json' | 'slack'
  cooldownMs: number
  enabled: boolean
  createdAt: Date
  updatedAt: Date
}

export interface AlertEvent {
  id: string
  ruleId: string
  ruleName: string
  ruleKind: AlertKind
  state: 'firing' | 'resolved'
  value: number | null
  message: string
  firedAt: Date
  resolvedAt: Date | null
  deliveredAt: Date | null
  deliveryError: string | null
}

type Row = Record<string, unknown>

/** Alert rules (create, change, list, remove) and their incident history. */
export class AlertStore {
  readonly q: AlertQueries

  constructor(
    private readonly db: Db,
    schema: string,
  ) {
    this.q = buildAlertQueries(schema)
  }

  async create(input: AlertRuleInput): Promise<AlertRule> {
    const v = parseInput(alertRuleInputSchema, input, 'alert rule')
    return toRule(await this.#write(this.q.alertRuleInsert, [newId(), ...fields(v)], v.name))
  }

  async update(id: string, patch: Partial<AlertRuleInput>): Promise<AlertRule> {
    const current = await this.get(id)
    if (!current) throw notFound(id)
    const p = parseInput(alertRuleFields.partial().strict(), patch, 'alert rule change')
    // zod's .partial() keeps each field's default: take only the fields the patch gave, or changing one
    // field would reset the others (threshold to 0, windowMs to 5 minutes, …). The rule as changed is
    // then checked whole, so a threshold is judged by the kind the rule will have.
    const given = Object.fromEntries(Object.entries(p).filter(([k, x]) => x !== undefined && (patch as Record<string, unknown>)[k] !== undefined))
    const merged = parseInput(alertRuleInputSchema, { ...fromRule(current), ...given }, 'alert rule')
    return toRule(await this.#write(this.q.alertRuleUpdate, [id, ...fields(merged)], merged.name))
  }

  async get(id: string): Promise<AlertRule | null> {
    if (!isUuid(id)) return null
    const [row] = await this.db.query<Row>(this.q.alertRuleGet, [id])
    return row ? toRule(row) : null
  }

  async list(): Promise<AlertRule[]> {
    return (await this.db.query<Row>(this.q.alertRuleList)).map(toRule)
  }

  async remove(id: string): Promise<void> {
    const rows = isUuid(id) ? await this.db.query(this.q.alertRuleDelete, [id]) : []
    if (rows.length === 0) throw notFound(id)
  }

  /** Incidents, newest first. */
  async history(limit = 100): Promise<AlertEvent[]> {
    return (await this.db.query<Row>(this.q.alertEventList, [limit])).map(toEvent)
  }

  async #write(sql: string, params: unknown[], name: string): Promise<Row> {
    try {
      const [row] = await this.db.query<Row>(sql, params)
      if (!row) throw notFound(String(params[0]))
      return row
    } catch (err) {
      if (isUniqueViolation(err))
        throw new ConveyorError(ErrorCodes.alreadyExists, `an alert rule named "${name}" exists already`)
      throw translatePgError(err)
    }
  }
}

function fields(v: Parsed): unknown[] {
  return [v.name, v.kind, v.queue ?? null, v.type ?? null, v.threshold, v.windowMs, v.webhookUrl ?? null, v.format, v.cooldownMs, v.enabled]
}

function fromRule(r: AlertRule): AlertRuleInput {
  const { id: _id, createdAt: _c, updatedAt: _u, ...rest } = r
  return rest
}

export function toRule(r: Row): AlertRule {
  return {
    id: r.id as string,
    name: r.name as string,
    kind: r.kind as AlertKind,
    queue: (r.queue as string | null) ?? null,
    type: (r.type as string | null) ?? null,
    threshold: r.threshold as number,
    windowMs: r.window_ms as number,
    webhookUrl: (r.webhook_url as string | null) ?? null,
    format: r.format as AlertRule['format'],
    cooldownMs: r.cooldown_ms as number,
    enabled: r.enabled as boolean,
    createdAt: r.created_at as Date,
    updatedAt: r.updated_at as Date,
  }
}

export function toEvent(r: Row): AlertEvent {
  return {
    id: r.id as string,
    ruleId: r.rule_id as string,
    ruleName: r.rule_name as string,
    ruleKind: r.rule_kind as AlertKind,
    state: r.state as AlertEvent['state'],
    value: (r.value as number | null) ?? null,
    message: r.message as string,
    firedAt: r.fired_at as Date,
    resolvedAt: (r.resolved_at as Date | null) ?? null,
    deliveredAt: (r.delivered_at as Date | null) ?? null,
    deliveryError: (r.delivery_error as string | null) ?? null,
  }
}

function notFound(id: string) {
  return new ConveyorError(ErrorCodes.alertRuleNotFound, `alert rule ${id} not found`)
}
