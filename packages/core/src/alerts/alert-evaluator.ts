import type { Logger } from 'pino'
import { newId } from '../ids.ts'
import type { Db } from '../db/db.ts'
import { latestTickAtOrBefore, parseCron } from '../schedules/cron.ts'
import type { ScheduleStore } from '../schedules/schedule-store.ts'
import { SCHEDULER_DEFAULTS } from '../schedules/scheduler.ts'
import { type AlertEvent, type AlertRule, type AlertStore, toEvent } from './alert-store.ts'
import { postWebhook } from './webhook.ts'

export const ALERTS_DEFAULTS = {
  intervalMs: 15_000,
  /** A worker not seen for this long is not live (its heartbeat runs every lease / 3 = 10 s). */
  liveWorkerMs: 60_000,
  webhookTimeoutMs: 5000,
} as const

interface Verdict {
  firing: boolean
  value: number
  message: string
}

export type Deliver = (url: string, body: unknown) => Promise<void>

/**
 * Evaluates alert rules and delivers their messages. An incident opens when a rule starts firing (the
 * partial unique index lets exactly one process open it) and sends "firing"; it resolves when the
 * rule clears and sends "resolved". A rule that fires again within its cooldown after resolving
 * reopens the last incident rather than opening a new one, and says so ("firing" again, with the
 * current message): the receiver was told it resolved, and must not go on believing so. A message
 * that could not be delivered is sent again at each pass while its incident is in that state.
 * Rules are evaluated at once, not one after another: a webhook that hangs until its timeout must
 * not hold back every other rule's messages.
 */
export class AlertEvaluator {
  constructor(
    private readonly db: Db,
    private readonly store: AlertStore,
    private readonly schedules: ScheduleStore,
    private readonly logger: Logger,
    private readonly deliver: Deliver = postJson,
  ) {}

  /**
   * One pass over every rule; returns the messages sent. An enabled rule is evaluated; a disabled one
   * is not, but an incident it left firing is resolved (and the receiver told so): disabling a
   * firing rule would otherwise leave the incident open in the history and the receiver believing
   * it still fires.
   */
  async runOnce(): Promise<{ rule: string; state: 'firing' | 'resolved' }[]> {
    const sent: { rule: string; state: 'firing' | 'resolved' }[] = []
    const rules = await this.store.list()
    await Promise.all(
      rules.map(async (rule) => {
        try {
          const verdict = rule.enabled ? await this.#evaluate(rule) : DISABLED
          const state = await this.#apply(rule, verdict)
          if (state) sent.push({ rule: rule.name, state })
        } catch (err) {
          this.logger.error({ err, rule: rule.name }, 'alert rule evaluation failed')
        }
      }),
    )
    return sent
  }

  async #apply(rule: AlertRule, v: Verdict): Promise<'firing' | 'resolved' | null> {
    const q = this.store.q
    const [latest] = (await this.db.query<Record<string, unknown>>(q.alertEventLatest, [rule.id])).map(toEvent)
    const state = v.firing ? 'firing' : 'resolved'
    if ((latest?.state ?? 'resolved') === state) {
      // Nothing changed: only a message that never arrived is sent again.
      if (!latest?.deliveryError) return null
      await this.#send(rule, latest.id, state, state === 'firing' ? latest.message : resolvedMessage(rule), v.value)
      return state
    }
    if (!v.firing) {
      const [resolved] = await this.db.query<{ id: string }>(q.alertEventResolve, [rule.id])
      if (!resolved) return null // another process resolved it
      await this.#send(rule, resolved.id, 'resolved', resolvedMessage(rule), v.value)
      return 'resolved'
    }
    if (latest?.resolvedAt && Date.now() - latest.resolvedAt.getTime() < rule.cooldownMs) {
      const reopened = await this.db.query(q.alertEventReopen, [latest.id, v.value, v.message])
      if (reopened.length === 0) return null // another process reopened it
      await this.#send(rule, latest.id, 'firing', v.message, v.value)
      return 'firing'
    }
    const id = newId()
    const opened = await this.db.query(q.alertEventOpen, [id, rule.id, v.value, v.message])
    if (opened.length === 0) return null // another process opened it
    await this.#send(rule, id, 'firing', v.message, v.value)
    return 'firing'
  }

  async #send(rule: AlertRule, eventId: string, state: 'firing' | 'resolved', message: string, value: number) {
    if (!rule.webhookUrl) return
    let error: string | null = null
    try {
      await this.deliver(rule.webhookUrl, messageBody(rule, state, message, value, eventId))
    } catch (err) {
      error = (err as Error).message
      this.logger.warn({ err, rule: rule.name }, 'alert webhook delivery failed')
    }
    await this.db.query(this.store.q.alertEventDelivered, [eventId, error])
  }

  /**
   * Sends a test message to the rule's webhook (state `test`, in the rule's format) so its setup can
   * be checked; nothing is recorded in the history.
   */
  async sendTest(rule: AlertRule): Promise<{ delivered: boolean; error: string | null }> {
    if (!rule.webhookUrl) return { delivered: false, error: 'the rule has no webhookUrl' }
    try {
      await this.deliver(rule.webhookUrl, messageBody(rule, 'test', 'a test message from Conveyor: this webhook receives this rule\'s alerts', null, null))
      return { delivered: true, error: null }
    } catch (err) {
      return { delivered: false, error: (err as Error).message }
    }
  }

  async #evaluate(rule: AlertRule): Promise<Verdict> {
    const q = this.store.q
    const where = [rule.queue && `queue ${rule.queue}`, rule.type && `type ${rule.type}`].filter(Boolean).join(', ')
    const scope = where ? ` (${where})` : ''
    switch (rule.kind) {
      case 'failure_rate': {
        const [r] = await this.db.query<{ failed: number; finished: number }>(q.alertFailureRate, [rule.windowMs, rule.queue, rule.type])
        const rate = r && r.finished > 0 ? r.failed / r.finished : 0
        return {
          firing: (r?.failed ?? 0) > 0 && rate > rule.threshold,
          value: rate,
          message: `failure rate ${(rate * 100).toFixed(1)}% over ${Math.round(rule.windowMs / 60_000)} min${scope} is above ${(rule.threshold * 100).toFixed(1)}% (${r?.failed ?? 0} of ${r?.finished ?? 0} failed)`,
        }
      }
      case 'queue_depth':
      case 'oldest_pending_age':
      case 'no_worker': {
        const rows = await this.db.query<{ queue: string; pending: number; oldest_ms: number }>(q.alertPending, [rule.queue, rule.type])
        if (rule.kind === 'queue_depth') {
          const worst = maxBy(rows, (r) => r.pending)
          return {
            firing: !!worst && worst.pending > rule.threshold,
            value: worst?.pending ?? 0,
            message: `queue ${worst?.queue ?? rule.queue ?? ''} has ${worst?.pending ?? 0} jobs ready to run (limit ${rule.threshold})`,
          }
        }
        if (rule.kind === 'oldest_pending_age') {
          const worst = maxBy(rows, (r) => r.oldest_ms)
          return {
            firing: !!worst && worst.oldest_ms > rule.threshold,
            value: worst?.oldest_ms ?? 0,
            message: `the oldest ready job in queue ${worst?.queue ?? ''} has waited ${Math.round((worst?.oldest_ms ?? 0) / 1000)} s (limit ${Math.round(rule.threshold / 1000)} s)`,
          }
        }
        const served = new Set(
          (await this.db.query<{ queue: string }>(q.alertServedQueues, [ALERTS_DEFAULTS.liveWorkerMs])).map((r) => r.queue),
        )
        const orphaned = rows.filter((r) => r.pending > 0 && !served.has(r.queue))
        return {
          firing: orphaned.length > 0,
          value: orphaned.reduce((a, r) => a + r.pending, 0),
          message: `no live worker for ${orphaned.map((r) => `queue ${r.queue} (${r.pending} ready)`).join(', ') || 'any queue'}`,
        }
      }
      case 'job_running_longer': {
        const [r] = await this.db.query<{ n: number }>(q.alertRunningLonger, [rule.threshold, rule.queue, rule.type])
        return {
          firing: (r?.n ?? 0) > 0,
          value: r?.n ?? 0,
          message: `${r?.n ?? 0} job(s)${scope} running longer than ${Math.round(rule.threshold / 1000)} s`,
        }
      }
      case 'schedule_missed': {
        const [{ now }] = (await this.db.query<{ now: Date }>('SELECT now() AS now')) as [{ now: Date }]
        const graceMs = Math.max(rule.threshold, SCHEDULER_DEFAULTS.graceMs)
        const due = new Date(now.getTime() - graceMs)
        const missed: string[] = []
        for (const s of await this.schedules.list({ enabledOnly: true })) {
          if (rule.type && s.type !== rule.type) continue
          const tick = latestTickAtOrBefore(parseCron(s.cron, s.timezone), due)
          if (tick && tick > s.createdAt && (!s.lastTickAt || s.lastTickAt < tick)) missed.push(`${s.name} (due ${tick.toISOString()})`)
        }
        return { firing: missed.length > 0, value: missed.length, message: `schedule tick did not run: ${missed.join(', ')}` }
      }
    }
  }
}

/** What a webhook receives: a Slack-compatible `{ text }`, or the incident as JSON. */
function messageBody(rule: AlertRule, state: 'firing' | 'resolved' | 'test', message: string, value: number | null, eventId: string | null) {
  const label = { firing: '🔴 FIRING', resolved: '✅ RESOLVED', test: '🧪 TEST' }[state]
  if (rule.format === 'slack') return { text: `${label} ${rule.name}: ${message}` }
  return { alert: rule.name, kind: rule.kind, state, message, value, queue: rule.queue, type: rule.type, eventId, at: new Date().toISOString() }
}

function maxBy<T>(rows: T[], f: (r: T) => number): T | undefined {
  let best: T | undefined
  for (const r of rows) if (!best || f(r) > f(best)) best = r
  return best
}

/** A disabled rule's verdict: not evaluated, not firing; its value is unknown (null in a JSON message). */
const DISABLED: Verdict = { firing: false, value: Number.NaN, message: '' }

const resolvedMessage = (rule: AlertRule) => (rule.enabled ? `resolved: ${rule.name}` : `resolved: ${rule.name} (the rule was disabled)`)

/** POSTs JSON to a webhook (never to a link-local address), failing on a non-2xx answer or after 5 s. */
const postJson: Deliver = (url, body) => postWebhook(url, body, { timeoutMs: ALERTS_DEFAULTS.webhookTimeoutMs })

export type { AlertEvent }
