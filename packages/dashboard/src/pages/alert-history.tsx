import { useQuery } from '@tanstack/react-query'
import { client } from '../api.ts'
import { Absolute, When } from '../components/time.tsx'
import { KIND_LOOK } from '../lib/alert-form.ts'
import { formatDuration } from '../lib/format.ts'
import { useSession } from '../session.tsx'
import { AlertsTabs, HISTORY_KEY } from './alerts.tsx'
import { EmptyRow, ErrorNote } from '../components/notes.tsx'

const LIMIT = 500

/** Alert incidents, newest first: when each fired and cleared, what it said, and whether its webhook took it. */
export function AlertHistoryPage() {
  const { can } = useSession()
  const history = useQuery({ queryKey: [...HISTORY_KEY, LIMIT], queryFn: () => client.alertHistory({ limit: LIMIT }), enabled: can.oversee, refetchInterval: 30_000 })
  if (!can.oversee) return <p className="card">Alert history is for admin and viewer keys.</p>
  const events = history.data?.events ?? []
  return (
    <div className="space-y-4">
      <div className="flex flex-wrap items-center gap-3">
        <h1 className="text-xl font-semibold">Alerts</h1>
        <AlertsTabs />
      </div>
      <ErrorNote error={history.error} />
      <div className="card overflow-x-auto p-0">
        <table className="w-full text-sm" data-testid="alert-history">
          <thead>
            <tr>
              <th className="th">fired</th>
              <th className="th">rule</th>
              <th className="th">state</th>
              <th className="th">message</th>
              <th className="th">lasted</th>
              <th className="th">webhook</th>
            </tr>
          </thead>
          <tbody>
            {events.map((e) => (
              <tr key={e.id} className="border-t border-slate-100 align-top dark:border-slate-800" data-testid="alert-event" data-rule={e.ruleName} data-state={e.state}>
                <td className="td">
                  <When at={e.firedAt} />
                  <div className="text-xs text-slate-500">
                    <Absolute at={e.firedAt} />
                  </div>
                </td>
                <td className="td">
                  <div className="font-medium">{e.ruleName}</div>
                  <div className="text-xs text-slate-500">{KIND_LOOK[e.ruleKind].label}</div>
                </td>
                <td className="td whitespace-nowrap">
                  {e.state === 'firing' ? <span className="text-rose-700 dark:text-rose-300">● firing</span> : <span className="text-emerald-700 dark:text-emerald-400">✓ resolved</span>}
                </td>
                <td className="td max-w-xl break-words">{e.message}</td>
                <td className="td whitespace-nowrap">
                  {e.resolvedAt ? formatDuration(Date.parse(e.resolvedAt) - Date.parse(e.firedAt)) : <span className="text-slate-500">still firing</span>}
                </td>
                <td className="td">
                  {e.deliveryError ? (
                    <span className="text-rose-700 dark:text-rose-300" title={e.deliveryError}>
                      ✕ {e.deliveryError}
                    </span>
                  ) : e.deliveredAt ? (
                    <span>
                      ✓ sent <When at={e.deliveredAt} />
                    </span>
                  ) : (
                    <span className="text-slate-500">—</span>
                  )}
                </td>
              </tr>
            ))}
            {history.data && events.length === 0 && (
              <EmptyRow colSpan={6}>
                No alert has fired yet.
              </EmptyRow>
            )}
          </tbody>
        </table>
      </div>
      {events.length === LIMIT && <p className="text-xs text-slate-500">The newest {LIMIT} incidents.</p>}
    </div>
  )
}
