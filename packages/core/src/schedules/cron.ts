import { Cron } from 'croner'
import { ConveyorError, ErrorCodes } from '../errors.ts'

/**
 * Cron parsing and tick times, through croner: 5 fields, or 6 with seconds first, in an IANA time
 * zone. Daylight saving follows croner: a time in a skipped hour fires at the jump (01:30 in
 * Europe/London on the spring-forward day fires at 02:00 BST), a time in a repeated hour fires once,
 * at its first occurrence.
 */
export function parseCron(expression: string, timezone: string): Cron {
  assertTimezone(timezone)
  const fields = expression.trim().split(/\s+/)
  if (fields.length !== 5 && fields.length !== 6)
    throw invalid('cron', `"${expression}" has ${fields.length} fields; give 5 (minute hour day month weekday) or 6 (seconds first)`)
  try {
    return new Cron(expression, { timezone, paused: true, mode: fields.length === 6 ? '6-part' : '5-part' })
  } catch (err) {
    throw invalid('cron', `"${expression}" is not a cron expression: ${(err as Error).message}`)
  }
}

export function assertTimezone(timezone: string): void {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: timezone })
  } catch {
    throw invalid('timezone', `"${timezone}" is not an IANA time zone such as UTC or Europe/London`)
  }
}

/** Tick times t with after < t <= until, oldest first, at most `max`. */
export function ticksBetween(cron: Cron, after: Date, until: Date, max = 1000): Date[] {
  const out: Date[] = []
  let t = cron.nextRun(after)
  while (t && t.getTime() <= until.getTime() && out.length < max) {
    out.push(t)
    t = cron.nextRun(t)
  }
  return out
}

/** The latest tick at or before `at`, or null. */
export function latestTickAtOrBefore(cron: Cron, at: Date): Date | null {
  if (cron.match(at) && at.getMilliseconds() === 0) return at
  return cron.previousRuns(1, at)[0] ?? null
}

export function nextTicks(cron: Cron, count: number, from = new Date()): Date[] {
  return cron.nextRuns(count, from)
}

function invalid(field: string, message: string) {
  return new ConveyorError(ErrorCodes.invalidInput, message, { details: [{ path: field, message }] })
}
