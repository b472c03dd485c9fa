/** Where an audit entry's target is shown in the dashboard, when it has a page; null otherwise. */
export function auditTargetLink(action: string, target: string | null): string | null {
  if (!target) return null
  const [kind, verb] = action.split('.')
  if (kind === 'job' && verb !== 'delete') return `/jobs/${encodeURIComponent(target)}`
  if (kind === 'schedule' && verb !== 'delete') return `/schedules/${encodeURIComponent(target)}`
  if (kind === 'queue') return `/jobs?queue=${encodeURIComponent(target)}`
  if (kind === 'alert' && verb !== 'delete') return '/alerts'
  return null
}

/** Details the audit page shows elsewhere (the actor's role) or not at all (key ids). */
const SHOWN_ELSEWHERE = new Set(['actorRole', 'actorKeyId'])
const MAX_VALUE = 80

/** An entry's details as short `key: value` pairs, each value cut to a readable length. */
export function auditDetails(details: Record<string, unknown>): [string, string][] {
  return Object.entries(details)
    .filter(([k, v]) => !SHOWN_ELSEWHERE.has(k) && v !== undefined && v !== null)
    .map(([k, v]) => {
      const text = typeof v === 'string' ? v : JSON.stringify(v)
      return [k, text.length > MAX_VALUE ? `${text.slice(0, MAX_VALUE - 1)}…` : text]
    })
}
