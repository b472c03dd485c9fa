/** How times are shown: in the viewer's own time zone, or in UTC. */
export type TimeZoneChoice = 'local' | 'UTC'

const SECOND = 1000
const MINUTE = 60 * SECOND
const HOUR = 60 * MINUTE
const DAY = 24 * HOUR

const pad = (n: number, width = 2) => String(Math.floor(n)).padStart(width, '0')

/** A duration for people: `850 ms`, `12.3 s`, `4 m 05 s`, `2 h 03 m`, `3 d 4 h`. */
export function formatDuration(ms: number | null | undefined): string {
  if (ms === null || ms === undefined || !Number.isFinite(ms)) return '—'
  const v = Math.max(0, ms)
  if (v < SECOND) return `${Math.round(v)} ms`
  if (v < MINUTE) return `${(v / SECOND).toFixed(v < 10 * SECOND ? 2 : 1)} s`
  if (v < HOUR) return `${Math.floor(v / MINUTE)} m ${pad((v % MINUTE) / SECOND)} s`
  if (v < DAY) return `${Math.floor(v / HOUR)} h ${pad((v % HOUR) / MINUTE)} m`
  return `${Math.floor(v / DAY)} d ${Math.floor((v % DAY) / HOUR)} h`
}

/** A time relative to `now`: `just now`, `12 s ago`, `5 min ago`, `3 h ago`, `2 d ago`, `in 5 min`. */
export function formatRelative(at: string | Date | null | undefined, now: number): string {
  if (at === null || at === undefined) return '—'
  const t = typeof at === 'string' ? Date.parse(at) : at.getTime()
  if (Number.isNaN(t)) return '—'
  const d = now - t
  const abs = Math.abs(d)
  let text: string
  if (abs < 5 * SECOND) return 'just now'
  if (abs < MINUTE) text = `${Math.floor(abs / SECOND)} s`
  else if (abs < HOUR) text = `${Math.floor(abs / MINUTE)} min`
  else if (abs < DAY) text = `${Math.floor(abs / HOUR)} h`
  else text = `${Math.floor(abs / DAY)} d`
  return d >= 0 ? `${text} ago` : `in ${text}`
}

const formatters = new Map<string, Intl.DateTimeFormat>()
/** A formatter per zone: `undefined` is the viewer's own zone. */
function formatter(timeZone: string | undefined): Intl.DateTimeFormat {
  const key = timeZone ?? 'local'
  let f = formatters.get(key)
  if (!f) {
    f = new Intl.DateTimeFormat('en-CA', {
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
      hourCycle: 'h23',
      timeZoneName: 'short',
      ...(timeZone ? { timeZone } : {}),
    })
    formatters.set(key, f)
  }
  return f
}

function format(at: string | Date | null | undefined, timeZone: string | undefined): string {
  if (at === null || at === undefined) return '—'
  const d = typeof at === 'string' ? new Date(at) : at
  if (Number.isNaN(d.getTime())) return '—'
  const parts = Object.fromEntries(formatter(timeZone).formatToParts(d).map((p) => [p.type, p.value]))
  return `${parts.year}-${parts.month}-${parts.day} ${parts.hour}:${parts.minute}:${parts.second} ${parts.timeZoneName ?? ''}`.trim()
}

/** An absolute time, `2026-02-16 12:00:05 UTC` (or the local zone's name). */
export function formatAbsolute(at: string | Date | null | undefined, tz: TimeZoneChoice): string {
  return format(at, tz === 'UTC' ? 'UTC' : undefined)
}

/**
 * An absolute time in a named IANA zone (a schedule's), `2026-03-30 09:00:00 GMT+1`; a zone this
 * browser does not know falls back to UTC rather than throwing.
 */
export function formatInZone(at: string | Date | null | undefined, timeZone: string): string {
  return format(at, isTimeZone(timeZone) ? timeZone : 'UTC')
}

/** Whether this browser knows the IANA zone. */
export function isTimeZone(timeZone: string): boolean {
  try {
    new Intl.DateTimeFormat('en', { timeZone })
    return true
  } catch {
    return false
  }
}

/** The value of an `<input type="datetime-local">` showing this ISO time in the chosen zone. */
export function toDatetimeLocal(iso: string | undefined, tz: TimeZoneChoice): string {
  if (!iso) return ''
  const d = new Date(iso)
  if (Number.isNaN(d.getTime())) return ''
  if (tz === 'UTC') return d.toISOString().slice(0, 16)
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:${pad(d.getMinutes())}`
}

/** The ISO time of an `<input type="datetime-local">` value read in the chosen zone; undefined when empty or bad. */
export function fromDatetimeLocal(value: string, tz: TimeZoneChoice): string | undefined {
  if (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2})?$/.test(value)) return undefined
  const d = tz === 'UTC' ? new Date(`${value}Z`) : new Date(value)
  return Number.isNaN(d.getTime()) ? undefined : d.toISOString()
}

/** How long a job ran: start to finish, or start to now while it runs. */
export function jobDurationMs(job: { startedAt: string | null; completedAt: string | null; status: string }, now: number): number | null {
  if (!job.startedAt) return null
  const start = Date.parse(job.startedAt)
  if (job.completedAt) return Date.parse(job.completedAt) - start
  return job.status === 'running' ? now - start : null
}

/** A count for people: 1,234,567. */
export function formatCount(n: number | null | undefined): string {
  return n === null || n === undefined ? '—' : n.toLocaleString('en-US')
}

/** A ratio as a percentage, `12.5%`; `—` when there is nothing to divide. */
export function formatPercent(part: number, whole: number): string {
  if (whole <= 0) return '—'
  const p = (100 * part) / whole
  return `${p < 10 && p > 0 ? p.toFixed(1) : Math.round(p)}%`
}
