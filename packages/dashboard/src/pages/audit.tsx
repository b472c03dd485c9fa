import { ROUTES, type RouteDef } from '@conveyor/contracts'
import { keepPreviousData, useQuery } from '@tanstack/react-query'
import { Link, useLocation, useNavigate, useSearchParams } from 'react-router'
import { client } from '../api.ts'
import { Absolute, When } from '../components/time.tsx'
import { auditDetails, auditTargetLink } from '../lib/audit-view.ts'
import { useSession } from '../session.tsx'
import { EmptyRow, ErrorNote } from '../components/notes.tsx'

const PAGE_SIZE = 50
const ACTOR_KIND: Record<string, string> = { key: 'API key', token: 'user token', session: 'dashboard', system: 'system', cli: 'command line' }

/**
 * The audit log: who did what to what, and when, newest first, a page at a time (`before` in the URL;
 * the pages walked through are kept in the history state, so Back and "Newer" return to them).
 */
export function AuditPage() {
  const { can } = useSession()
  const [params, setParams] = useSearchParams()
  const location = useLocation()
  const navigate = useNavigate()
  const action = params.get('action')?.trim() || undefined
  const actor = params.get('actor')?.trim() || undefined
  const before = params.get('before') || undefined
  const prev = (location.state as { prev?: (string | null)[] } | null)?.prev ?? []
  const query = { limit: PAGE_SIZE, ...(action ? { action } : {}), ...(actor ? { actor } : {}), ...(before ? { before } : {}) }
  const page = useQuery({ queryKey: ['audit', query], queryFn: () => client.listAudit(query), enabled: can.oversee, placeholderData: keepPreviousData })
  if (!can.oversee) return <p className="card">The audit log is for admin and viewer keys.</p>

  const filterParams = (over: { action?: string; actor?: string; before?: string }) => {
    const p = new URLSearchParams()
    const next = { action, actor, ...over }
    if (next.action) p.set('action', next.action)
    if (next.actor) p.set('actor', next.actor)
    if (over.before) p.set('before', over.before)
    return p
  }
  const setFilter = (k: 'action' | 'actor', v: string) => setParams(filterParams({ [k]: v.trim() || undefined }), { replace: true })
  const entries = page.data?.entries ?? []
  const nextBefore = page.data?.nextBefore ?? null

  return (
    <div className="space-y-4">
      <div className="flex flex-wrap items-center gap-3">
        <h1 className="text-xl font-semibold">Audit log</h1>
        <div className="ml-auto flex flex-wrap gap-3">
          <label className="flex items-center gap-1 text-sm">
            Action
            <input className="input w-40 py-0.5" list="audit-actions" defaultValue={action ?? ''} placeholder="any" onChange={(e) => setFilter('action', e.target.value)} />
          </label>
          <datalist id="audit-actions">
            {AUDIT_ACTIONS.map((a) => (
              <option key={a} value={a} />
            ))}
          </datalist>
          <label className="flex items-center gap-1 text-sm">
            Who
            <input className="input w-40 py-0.5" defaultValue={actor ?? ''} placeholder="key name or owner" onChange={(e) => setFilter('actor', e.target.value)} />
          </label>
        </div>
      </div>
      <ErrorNote error={page.error} />
      <div className={`card overflow-x-auto p-0 ${page.isPlaceholderData ? 'opacity-60' : ''}`}>
        <table className="w-full text-sm" data-testid="audit-entries">
          <thead>
            <tr>
              <th className="th">when</th>
              <th className="th">who</th>
              <th className="th">what</th>
              <th className="th">target</th>
              <th className="th">details</th>
            </tr>
          </thead>
          <tbody>
            {entries.map((e) => {
              const link = auditTargetLink(e.action, e.target)
              const role = typeof e.details.actorRole === 'string' ? e.details.actorRole : null
              return (
                <tr key={e.id} className="border-t border-slate-100 align-top dark:border-slate-800" data-testid="audit-entry" data-action={e.action} data-target={e.target ?? ''}>
                  <td className="td">
                    <When at={e.at} />
                    <div className="text-xs text-slate-500">
                      <Absolute at={e.at} />
                    </div>
                  </td>
                  <td className="td">
                    <div className="font-medium break-all">{e.actor}</div>
                    <div className="text-xs text-slate-500">
                      {ACTOR_KIND[e.actorKind] ?? e.actorKind}
                      {role ? ` · ${role}` : ''}
                    </div>
                  </td>
                  <td className="td font-mono text-xs whitespace-nowrap">{e.action}</td>
                  <td className="td">
                    {e.target === null ? (
                      <span className="text-slate-400">—</span>
                    ) : link ? (
                      <Link className="link font-mono text-xs break-all" to={link}>
                        {e.target}
                      </Link>
                    ) : (
                      <span className="font-mono text-xs break-all">{e.target}</span>
                    )}
                  </td>
                  <td className="td text-xs">
                    {auditDetails(e.details).map(([k, v]) => (
                      <div key={k} className="break-all">
                        <span className="text-slate-500">{k}:</span> {v}
                      </div>
                    ))}
                  </td>
                </tr>
              )
            })}
            {page.data && entries.length === 0 && (
              <EmptyRow colSpan={5}>
                Nothing recorded{action || actor ? ' that matches' : ' yet'}.
              </EmptyRow>
            )}
          </tbody>
        </table>
      </div>
      <div className="flex items-center gap-2">
        {prev.length > 0 && (
          <button
            type="button"
            className="btn"
            onClick={() => {
              const b = prev.at(-1)
              void navigate(`/audit?${filterParams(b ? { before: b } : {})}`, { state: { prev: prev.slice(0, -1) } })
            }}
          >
            ← Newer
          </button>
        )}
        {nextBefore && (
          <button type="button" className="btn" onClick={() => void navigate(`/audit?${filterParams({ before: nextBefore })}`, { state: { prev: [...prev, before ?? null] } })}>
            Older →
          </button>
        )}
        <span className="text-xs text-slate-500">page {prev.length + 1}</span>
      </div>
    </div>
  )
}

/** The actions the server records (each audited route's `audit`), offered as suggestions. */
const AUDIT_ACTIONS = [...new Set(Object.values(ROUTES).flatMap((r: RouteDef) => (r.audit ? [r.audit] : [])))].sort()
