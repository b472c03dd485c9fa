import type { BulkRequest, JobStatus, ListJobsQuery } from '@conveyor/client'

/** The statuses a filter may hold, in the order the dashboard shows them. */
export const STATUSES: readonly JobStatus[] = ['pending', 'running', 'completed', 'failed', 'cancelled']
export const SORTS = ['newest', 'oldest', 'queue'] as const
export type Sort = (typeof SORTS)[number]

/** The jobs list's filters, as kept in the URL (so a filtered view can be bookmarked and shared). */
export interface JobFilter {
  status: JobStatus[]
  queue?: string
  type?: string
  owner?: string
  /** Search in name, type and payload. */
  q?: string
  /** ISO date-times. */
  createdAfter?: string
  createdBefore?: string
  sort: Sort
}

export const EMPTY_FILTER: JobFilter = { status: [], sort: 'newest' }

const TEXT_KEYS = ['queue', 'type', 'owner', 'q', 'createdAfter', 'createdBefore'] as const

/** The filter of a URL's search parameters; unknown statuses and sorts are ignored. */
export function readFilter(params: URLSearchParams): JobFilter {
  const status = (params.get('status') ?? '')
    .split(',')
    .map((s) => (s === 'claimed' ? 'running' : s))
    .filter((s): s is JobStatus => (STATUSES as readonly string[]).includes(s))
  const sort = params.get('sort')
  const f: JobFilter = { status: [...new Set(status)], sort: (SORTS as readonly string[]).includes(sort ?? '') ? (sort as Sort) : 'newest' }
  for (const k of TEXT_KEYS) {
    const v = params.get(k)?.trim()
    if (v) f[k] = v
  }
  return f
}

/** The search parameters of a filter: defaults left out, so equal filters give equal URLs. */
export function writeFilter(f: JobFilter, page: { cursor?: string; page?: number } = {}): URLSearchParams {
  const p = new URLSearchParams()
  if (f.status.length > 0) p.set('status', STATUSES.filter((s) => f.status.includes(s)).join(','))
  for (const k of TEXT_KEYS) {
    const v = f[k]
    if (v) p.set(k, v)
  }
  if (f.sort !== 'newest') p.set('sort', f.sort)
  if (page.cursor) p.set('cursor', page.cursor)
  if (page.page && page.page > 1) p.set('page', String(page.page))
  return p
}

/** True when the filter narrows the list at all. */
export function isFiltered(f: JobFilter): boolean {
  return f.status.length > 0 || TEXT_KEYS.some((k) => f[k] !== undefined)
}

/** GET /api/jobs's query for one page of the filter. */
export function toListQuery(f: JobFilter, page: { cursor?: string | null; limit: number }): ListJobsQuery {
  return {
    ...(f.status.length > 0 ? { status: f.status } : {}),
    ...(f.queue ? { queue: f.queue } : {}),
    ...(f.type ? { type: f.type } : {}),
    ...(f.owner ? { owner: f.owner } : {}),
    ...(f.q ? { q: f.q } : {}),
    ...(f.createdAfter ? { createdAfter: f.createdAfter } : {}),
    ...(f.createdBefore ? { createdBefore: f.createdBefore } : {}),
    sort: f.sort,
    limit: page.limit,
    ...(page.cursor ? { cursor: page.cursor } : {}),
  }
}

/** The bulk action filter matching exactly the jobs the list shows ("all N matching"). */
export function toBulkFilter(f: JobFilter): NonNullable<BulkRequest['filter']> {
  const { sort: _sort, ...rest } = toListQuery(f, { limit: 1 })
  const { limit: _limit, ...filter } = rest as Record<string, unknown>
  return filter as NonNullable<BulkRequest['filter']>
}

/**
 * Whether a job event may belong to the filtered list, judged by what an event carries (status,
 * queue, type, owner). The search text and created range can't be checked on an event.
 */
export function eventMatches(f: JobFilter, e: { status: JobStatus; queue: string; type: string; owner: string | null }): boolean {
  if (f.status.length > 0 && !f.status.includes(e.status)) return false
  if (f.queue && e.queue !== f.queue) return false
  if (f.type && e.type !== f.type) return false
  if (f.owner && e.owner !== f.owner) return false
  return true
}
