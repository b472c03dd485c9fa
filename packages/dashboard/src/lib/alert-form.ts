import type { AlertRuleRequest } from '@conveyor/client'
import { ALERT_KINDS, type RouteResponse } from '@conveyor/contracts'
import { formatDuration } from './format.ts'

export type AlertKind = (typeof ALERT_KINDS)[number]
export type AlertRule = RouteResponse<'getAlertRule'>['rule']
export { ALERT_KINDS }

/**
 * Each kind of rule: its name, and its threshold as people type it. The API keeps thresholds in
 * base units (a rate 0..1, a count, milliseconds); the form shows percent, jobs or seconds, and
 * `scale` turns one into the other.
 */
export const KIND_LOOK: Record<AlertKind, { label: string; threshold?: { label: string; scale: number; placeholder: string }; usesWindow?: true }> = {
  failure_rate: { label: 'failure rate above', threshold: { label: 'Failure rate above (%)', scale: 0.01, placeholder: '10' }, usesWindow: true },
  queue_depth: { label: 'queue depth above', threshold: { label: 'Ready jobs above', scale: 1, placeholder: '1000' } },
  oldest_pending_age: { label: 'oldest pending job older than', threshold: { label: 'Oldest ready job older than (seconds)', scale: 1000, placeholder: '300' } },
  no_worker: { label: 'pending jobs and no live worker' },
  schedule_missed: { label: 'a schedule tick did not run', threshold: { label: 'Grace (seconds, optional)', scale: 1000, placeholder: '60' } },
  job_running_longer: { label: 'a job running longer than', threshold: { label: 'Running longer than (seconds)', scale: 1000, placeholder: '600' } },
}

/** A rule's condition in words: `failure rate above 10% over 5 m 00 s, queue emails`. */
export function describeRule(r: Pick<AlertRule, 'kind' | 'threshold' | 'windowMs' | 'queue' | 'type'>): string {
  const scope = [r.queue && `queue ${r.queue}`, r.type && `type ${r.type}`].filter(Boolean).join(', ')
  const what = (() => {
    switch (r.kind) {
      case 'failure_rate':
        return `failure rate above ${round(r.threshold * 100)}% over ${formatDuration(r.windowMs)}`
      case 'queue_depth':
        return `more than ${round(r.threshold)} ready jobs in a queue`
      case 'oldest_pending_age':
        return `oldest ready job older than ${formatDuration(r.threshold)}`
      case 'no_worker':
        return 'pending jobs and no live worker'
      case 'schedule_missed':
        return 'a schedule tick did not run'
      case 'job_running_longer':
        return `a job running longer than ${formatDuration(r.threshold)}`
    }
  })()
  return scope ? `${what} (${scope})` : what
}

const round = (n: number) => Math.round(n * 1000) / 1000

/** The rule form's fields, as typed. */
export interface AlertForm {
  name: string
  kind: AlertKind
  threshold: string
  windowMinutes: string
  queue: string
  type: string
  webhookUrl: string
  format: 'json' | 'slack'
  cooldownMinutes: string
  enabled: boolean
}
export type AlertFormErrors = Partial<Record<keyof AlertForm, string>>

export const EMPTY_ALERT_FORM: AlertForm = {
  name: '',
  kind: 'failure_rate',
  threshold: '',
  windowMinutes: '5',
  queue: '',
  type: '',
  webhookUrl: '',
  format: 'json',
  cooldownMinutes: '15',
  enabled: true,
}

/** The form showing a rule as it is (for editing). */
export function ruleToForm(r: AlertRule): AlertForm {
  const scale = KIND_LOOK[r.kind].threshold?.scale ?? 1
  return {
    name: r.name,
    kind: r.kind,
    threshold: KIND_LOOK[r.kind].threshold ? String(round(r.threshold / scale)) : '',
    windowMinutes: String(round(r.windowMs / 60_000)),
    queue: r.queue ?? '',
    type: r.type ?? '',
    webhookUrl: r.webhookUrl ?? '',
    format: r.format,
    cooldownMinutes: String(round(r.cooldownMs / 60_000)),
    enabled: r.enabled,
  }
}

/** Parses the form into a rule body (every field, so it also serves as a PATCH); a message per bad field. */
export function formToRule(f: AlertForm): { body?: AlertRuleRequest; errors: AlertFormErrors } {
  const errors: AlertFormErrors = {}
  if (f.name.trim() === '') errors.name = 'required'
  const look = KIND_LOOK[f.kind]
  const number = (k: 'threshold' | 'windowMinutes' | 'cooldownMinutes', min: number) => {
    const n = Number(f[k])
    if (f[k].trim() === '' || !Number.isFinite(n) || n < min) errors[k] = `a number, at least ${min}`
    return n
  }
  let threshold = 0
  if (look.threshold && (f.threshold.trim() !== '' || f.kind !== 'schedule_missed')) threshold = number('threshold', 0) * look.threshold.scale
  if (f.kind === 'failure_rate' && threshold > 1) errors.threshold = 'a percentage, 0 to 100'
  const windowMs = look.usesWindow ? Math.round(number('windowMinutes', 1 / 60) * 60_000) : undefined
  const cooldownMs = Math.round(number('cooldownMinutes', 0) * 60_000)
  const webhookUrl = f.webhookUrl.trim()
  if (webhookUrl && !/^https?:\/\/\S+$/.test(webhookUrl)) errors.webhookUrl = 'an http(s) URL'
  if (Object.keys(errors).length > 0) return { errors }
  return {
    errors,
    body: {
      name: f.name.trim(),
      kind: f.kind,
      threshold,
      ...(windowMs !== undefined ? { windowMs } : {}),
      // A schedule tick is not in a queue: the field is hidden for that kind, and its value dropped.
      queue: f.kind === 'schedule_missed' ? null : f.queue.trim() || null,
      type: f.type.trim() || null,
      webhookUrl: webhookUrl || null,
      format: f.format,
      cooldownMs,
      enabled: f.enabled,
    },
  }
}
