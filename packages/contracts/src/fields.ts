import { z } from 'zod'
import { JOB_STATUSES, type JobStatus, STATUS_ALIASES } from './job.ts'
import { LIMITS } from './limits.ts'

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/

/**
 * A bounded string PostgreSQL can store as text: no NUL (no text value can hold one: the write failed)
 * and no lone UTF-16 surrogate (stored as U+FFFD, so two different names could collide).
 */
export const storable = (max: number) =>
  z
    .string()
    .max(max)
    .refine((s) => !s.includes('\u0000'), 'must not contain NUL (\\u0000)')
    .refine((s) => !LONE_SURROGATE.test(s), 'must not contain a lone UTF-16 surrogate (half of a character)')

/** A required, bounded, non-empty string PostgreSQL can store. */
export const text = (max: number) => storable(max).min(1)

/** An ISO 8601 date-time with offset (2026-02-16T12:00:00Z) or a date (2026-02-16, midnight UTC), as an ISO string. */
export const isoTime = z
  .union([z.iso.datetime({ offset: true }), z.iso.date()])
  // PostgreSQL reads no year 0 (ISO's 1 BC) and toISOString writes years past 9999 as +010000.
  .refine((s) => {
    const year = new Date(s).getUTCFullYear()
    return year >= 1 && year <= 9999
  }, 'must be a time between the years 1 and 9999')
  .transform((s) => new Date(s).toISOString())
  .meta({ description: 'ISO 8601 date-time (2026-02-16T12:00:00Z) or date (2026-02-16)' })

/** A query parameter given as a comma list (`a,b`) or repeated (`x=a&x=b`): an array. */
function commaList<T extends z.ZodType<unknown, string>>(item: T, max: number, description: string) {
  return z
    .union([z.string(), z.array(z.string())])
    .transform((v) =>
      (Array.isArray(v) ? v.join(',') : v)
        .split(',')
        .map((s) => s.trim())
        .filter((s) => s.length > 0),
    )
    .pipe(z.array(item).max(max))
    .meta({ description })
}

/** A status, or one of its aliases (`claimed` = `running`). */
const statusOrAlias = z
  .string()
  .transform((s) => STATUS_ALIASES[s] ?? s)
  .pipe(z.enum(JOB_STATUSES, { error: (i) => `unknown status ${JSON.stringify(i.input)}: use ${JOB_STATUSES.join(', ')} (or claimed)` }))

/** `status` of a query: comma list of statuses; `claimed` is accepted for `running`. */
export const statusQuery = commaList(
  statusOrAlias,
  JOB_STATUSES.length * 2,
  `comma list of ${JOB_STATUSES.join(', ')}; claimed is accepted as another name for running`,
)

/** `status` of a JSON body: one status or an array of them (aliases accepted). */
export const statusBody = z
  .union([statusOrAlias.transform((s): JobStatus[] => [s]), z.array(statusOrAlias)])
  .meta({ description: `one of ${JOB_STATUSES.join(', ')} (claimed = running), or an array of them` })

/** `ids` of the event stream's URL: at most LIMITS.eventIds, what fits within Node's 16 KB of request head. */
export const idsQuery = commaList(
  z.uuid(),
  LIMITS.eventIds,
  `comma list of job ids, at most ${LIMITS.eventIds} (a longer URL would pass the server's 16 KB limit of request line and headers)`,
)

/** A number in a query string, e.g. `limit=20`. */
export const intQuery = (min: number, max?: number) => {
  const n = z.coerce.number().int().min(min)
  return max === undefined ? n : n.max(max)
}

/** `metadata` as a JSON object of exact matches, e.g. `metadata={"project":"p1"}` (URL-encoded in queries). */
const metadataMatch = z.record(z.string(), z.union([z.string(), z.number(), z.boolean()]))
export const metadataQuery = z
  .string()
  .transform((s, ctx) => {
    try {
      return JSON.parse(s) as unknown
    } catch {
      ctx.addIssue({ code: 'custom', message: 'not JSON: give an object such as {"project":"p1"}' })
      return z.NEVER
    }
  })
  .pipe(metadataMatch)
  .meta({ description: 'JSON object of metadata values that must match exactly, e.g. {"project":"p1"}' })
export const metadataBody = metadataMatch

export { LIMITS }
