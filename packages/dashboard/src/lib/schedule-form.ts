import type { ScheduleRequest } from '@conveyor/client'
import type { ApiSchedule } from '@conveyor/contracts'
import { isTimeZone } from './format.ts'

/** The schedule form's fields, as typed (strings, except the choices). */
export interface ScheduleForm {
  name: string
  cron: string
  timezone: string
  type: string
  queue: string
  priority: string
  owner: string
  payload: string
  overlap: 'allow' | 'skip'
  catchUp: 'none' | 'latest'
  enabled: boolean
}

export type ScheduleFormErrors = Partial<Record<keyof ScheduleForm, string>>

export const EMPTY_SCHEDULE_FORM: ScheduleForm = {
  name: '',
  cron: '0 9 * * 1-5',
  timezone: 'UTC',
  type: '',
  queue: '',
  priority: '',
  owner: '',
  payload: '{}',
  overlap: 'allow',
  catchUp: 'none',
  enabled: true,
}

/** The form showing a schedule as it is (for editing). */
export function scheduleToForm(s: ApiSchedule): ScheduleForm {
  return {
    name: s.name,
    cron: s.cron,
    timezone: s.timezone,
    type: s.type,
    queue: s.queue,
    priority: String(s.priority),
    owner: s.owner ?? '',
    payload: s.payload === undefined ? '' : JSON.stringify(s.payload, null, 2),
    overlap: s.overlap,
    catchUp: s.catchUp,
    enabled: s.enabled,
  }
}

/**
 * Parses the form into a schedule body; a message per bad field. Every field is sent (a blank owner
 * as null), so the same body creates a schedule or, as a PATCH, sets each field to what the form
 * shows. The cron itself is checked by the server, which answers with what is wrong in it.
 */
export function formToSchedule(f: ScheduleForm): { body?: ScheduleRequest; errors: ScheduleFormErrors } {
  const errors: ScheduleFormErrors = {}
  for (const k of ['name', 'cron', 'type'] as const) if (f[k].trim() === '') errors[k] = 'required'
  const fields = f.cron.trim().split(/\s+/).length
  if (!errors.cron && fields !== 5 && fields !== 6) errors.cron = `5 fields (minute hour day month weekday), or 6 with seconds first; this has ${fields}`
  const timezone = f.timezone.trim() || 'UTC'
  if (!isTimeZone(timezone)) errors.timezone = 'an IANA time zone, e.g. Europe/London'
  let payload: unknown
  if (f.payload.trim() !== '') {
    try {
      payload = JSON.parse(f.payload)
    } catch (err) {
      errors.payload = `not JSON: ${(err as Error).message}`
    }
  }
  const priority = f.priority.trim() === '' ? 0 : Number(f.priority)
  if (!Number.isInteger(priority)) errors.priority = 'a whole number'
  if (Object.keys(errors).length > 0) return { errors }
  return {
    errors,
    body: {
      name: f.name.trim(),
      cron: f.cron.trim().replace(/\s+/g, ' '),
      timezone,
      type: f.type.trim(),
      ...(payload !== undefined ? { payload } : {}),
      queue: f.queue.trim() || 'default',
      priority,
      owner: f.owner.trim() || null,
      overlap: f.overlap,
      catchUp: f.catchUp,
      enabled: f.enabled,
    },
  }
}

/** The IANA zones this browser knows, for the time zone field's suggestions (UTC first). */
export function knownTimeZones(): string[] {
  const zones = typeof Intl.supportedValuesOf === 'function' ? Intl.supportedValuesOf('timeZone') : []
  return ['UTC', ...zones.filter((z) => z !== 'UTC')]
}
