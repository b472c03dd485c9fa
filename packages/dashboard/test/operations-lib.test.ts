import type { ApiSchedule } from '@conveyor/contracts'
import { describe, expect, it } from 'vitest'
import { describeRule, EMPTY_ALERT_FORM, formToRule, ruleToForm, type AlertRule } from '../src/lib/alert-form.ts'
import { auditDetails, auditTargetLink } from '../src/lib/audit-view.ts'
import { describeCron, describeSchedule } from '../src/lib/cron-words.ts'
import { formatAbsolute, formatInZone, isTimeZone } from '../src/lib/format.ts'
import { readMetricsView, writeMetricsView } from '../src/lib/metrics-window.ts'
import { EMPTY_SCHEDULE_FORM, formToSchedule, scheduleToForm } from '../src/lib/schedule-form.ts'

describe('describeCron / describeSchedule', () => {
  it('says the common shapes the way people do, with the zone', () => {
    expect(describeSchedule('0 9 * * 1-5', 'Europe/London')).toBe('Every weekday at 09:00, Europe/London')
    expect(describeCron('30 7 * * *')).toBe('Every day at 07:30')
    expect(describeCron('0 9 * * 1')).toBe('Every Monday at 09:00')
    // Six fields: seconds first.
    expect(describeCron('0 0 9 * * 1-5')).toBe('Every weekday at 09:00')
  })

  it("leaves cronstrue's words for the rest, and shows an unreadable expression as it is", () => {
    expect(describeCron('*/5 * * * *')).toBe('Every 5 minutes')
    expect(describeCron('30 8 * * 1,3,5')).toBe('At 08:30, only on Monday, Wednesday, and Friday')
    expect(describeCron('not a cron')).toBe('cron “not a cron”')
  })
})

describe('formatInZone', () => {
  it("shows an instant on a named zone's wall clock, daylight saving included", () => {
    expect(formatInZone('2026-01-12T09:00:00.000Z', 'Europe/London')).toBe('2026-01-12 09:00:00 GMT')
    expect(formatInZone('2026-06-15T08:00:00.000Z', 'Europe/London')).toBe('2026-06-15 09:00:00 GMT+1')
    expect(formatInZone('2026-06-15T08:00:00.000Z', 'America/New_York')).toBe('2026-06-15 04:00:00 EDT')
    expect(formatInZone('2026-06-15T08:00:00.000Z', 'UTC')).toBe(formatAbsolute('2026-06-15T08:00:00.000Z', 'UTC'))
  })

  it('falls back to UTC for a zone the browser does not know', () => {
    expect(isTimeZone('Mars/Olympus')).toBe(false)
    expect(formatInZone('2026-06-15T08:00:00.000Z', 'Mars/Olympus')).toBe('2026-06-15 08:00:00 UTC')
  })
})

const schedule: ApiSchedule = {
  id: '01a20752-741c-70cb-bb95-1c47ea9e3496',
  name: 'morning',
  cron: '0 9 * * 1-5',
  timezone: 'Europe/London',
  type: 'search',
  payload: { q: 'x' },
  queue: 'searches',
  priority: 2,
  owner: null,
  metadata: {},
  maxAttempts: null,
  timeoutMs: null,
  enabled: false,
  overlap: 'skip',
  catchUp: 'latest',
  nextRunAt: null,
  lastRunAt: null,
  nextRuns: [],
  createdAt: '2026-01-01T00:00:00.000Z',
  updatedAt: '2026-01-01T00:00:00.000Z',
}

describe('the schedule form', () => {
  it('gives back the schedule it was filled from, every field set (so it also serves as a PATCH)', () => {
    expect(formToSchedule(scheduleToForm(schedule))).toEqual({
      errors: {},
      body: { name: 'morning', cron: '0 9 * * 1-5', timezone: 'Europe/London', type: 'search', payload: { q: 'x' }, queue: 'searches', priority: 2, owner: null, overlap: 'skip', catchUp: 'latest', enabled: false },
    })
  })

  it('names each bad field and sends nothing', () => {
    const { body, errors } = formToSchedule({ ...EMPTY_SCHEDULE_FORM, cron: '0 9 *', timezone: 'Nowhere/Land', payload: '{oops', priority: '1.5' })
    expect(body).toBeUndefined()
    expect(Object.keys(errors).sort()).toEqual(['cron', 'name', 'payload', 'priority', 'timezone', 'type'])
    expect(errors.cron).toContain('this has 3')
  })
})

const rule: AlertRule = {
  id: '01a20752-741c-70cb-bb95-1c47ea9e3496',
  name: 'failures',
  kind: 'failure_rate',
  queue: 'emails',
  type: null,
  threshold: 0.1,
  windowMs: 300_000,
  webhookUrl: 'https://hooks.example.com/x',
  format: 'slack',
  cooldownMs: 900_000,
  enabled: true,
  createdAt: '2026-01-01T00:00:00.000Z',
  updatedAt: '2026-01-01T00:00:00.000Z',
}

describe('the alert rule form', () => {
  it('shows thresholds in percent, jobs or seconds and sends them in base units', () => {
    expect(ruleToForm(rule)).toMatchObject({ threshold: '10', windowMinutes: '5', cooldownMinutes: '15' })
    expect(formToRule(ruleToForm(rule)).body).toEqual({
      name: 'failures',
      kind: 'failure_rate',
      threshold: 0.1,
      windowMs: 300_000,
      queue: 'emails',
      type: null,
      webhookUrl: 'https://hooks.example.com/x',
      format: 'slack',
      cooldownMs: 900_000,
      enabled: true,
    })
    expect(formToRule({ ...EMPTY_ALERT_FORM, name: 'slow', kind: 'job_running_longer', threshold: '600' }).body).toMatchObject({ threshold: 600_000 })
    expect(formToRule({ ...EMPTY_ALERT_FORM, name: 'orphans', kind: 'no_worker' }).body).toMatchObject({ threshold: 0 })
  })

  it('refuses a rate over 100%, a missing threshold and a URL that is not http(s)', () => {
    expect(formToRule({ ...EMPTY_ALERT_FORM, name: 'x', threshold: '150' }).errors.threshold).toBe('a percentage, 0 to 100')
    expect(formToRule({ ...EMPTY_ALERT_FORM, name: 'x', kind: 'queue_depth' }).errors.threshold).toBeDefined()
    expect(formToRule({ ...EMPTY_ALERT_FORM, name: 'x', threshold: '5', webhookUrl: 'ftp://x' }).errors.webhookUrl).toBe('an http(s) URL')
  })

  it('says each condition in words', () => {
    expect(describeRule(rule)).toBe('failure rate above 10% over 5 m 00 s (queue emails)')
    expect(describeRule({ ...rule, kind: 'oldest_pending_age', threshold: 90_000, queue: null })).toBe('oldest ready job older than 1 m 30 s')
  })
})

describe('the metrics view in the URL', () => {
  it('reads a window, queue and type, falling back to the page default for an unknown window', () => {
    expect(readMetricsView(new URLSearchParams('window=7d&queue=q&type=t'), '1h')).toEqual({ window: '7d', queue: 'q', type: 't' })
    expect(readMetricsView(new URLSearchParams('window=2y'), '24h')).toEqual({ window: '24h' })
    expect(writeMetricsView({ window: '30d', type: 'scan' }).toString()).toBe('window=30d&type=scan')
  })
})

describe('audit entries', () => {
  it('link their target to its page when it has one', () => {
    expect(auditTargetLink('job.retry', 'abc')).toBe('/jobs/abc')
    expect(auditTargetLink('job.delete', 'abc')).toBeNull()
    expect(auditTargetLink('schedule.update', 's1')).toBe('/schedules/s1')
    expect(auditTargetLink('queue.pause', 'my queue')).toBe('/jobs?queue=my%20queue')
    expect(auditTargetLink('key.create', 'k1')).toBeNull()
    expect(auditTargetLink('job.retry', null)).toBeNull()
  })

  it("show details as short pairs, without the actor's key id", () => {
    const pairs = auditDetails({ actorRole: 'admin', actorKeyId: 'k', count: 3, filter: { status: ['failed'] }, long: 'x'.repeat(200) })
    expect(pairs.slice(0, 2)).toEqual([
      ['count', '3'],
      ['filter', '{"status":["failed"]}'],
    ])
    expect(pairs[2]![1]).toHaveLength(80)
  })
})
