import { useQuery } from '@tanstack/react-query'
import { client, errorMessage } from '../api.ts'
import { Absolute, When } from '../components/time.tsx'
import { LATE_MS, STALE_MS, type Staleness, staleness } from '../lib/queue-health.ts'
import { useNow } from '../prefs.tsx'

const LOOK: Record<Staleness, { symbol: string; label: string; className: string }> = {
  live: { symbol: '●', label: 'live', className: 'text-emerald-700 dark:text-emerald-400' },
  late: { symbol: '◐', label: 'late', className: 'text-amber-700 dark:text-amber-400' },
  stale: { symbol: '○', label: 'stale', className: 'text-rose-700 dark:text-rose-400' },
}

export function WorkersPage() {
  const now = useNow(2000)
  const workers = useQuery({ queryKey: ['workers'], queryFn: () => client.listWorkers(), refetchInterval: 5000 })
  const list = workers.data?.workers ?? []
  return (
    <div className="space-y-4">
      <h1 className="text-xl font-semibold">Workers</h1>
      {workers.isError && (
        <p role="alert" className="text-sm text-rose-700">
          {errorMessage(workers.error)}
        </p>
      )}
      <div className="card overflow-x-auto p-0">
        <table className="w-full text-sm">
          <thead>
            <tr>
              <th className="th">state</th>
              <th className="th">worker</th>
              <th className="th">queues</th>
              <th className="th">types</th>
              <th className="th text-right">running / concurrency</th>
              <th className="th">host · pid</th>
              <th className="th">last heartbeat</th>
              <th className="th">started</th>
            </tr>
          </thead>
          <tbody>
            {list.map((w) => {
              const s = staleness(w.lastSeenAt, now)
              return (
                <tr key={w.id} className="border-t border-slate-100 dark:border-slate-800" data-staleness={s}>
                  <td className={`td whitespace-nowrap font-medium ${LOOK[s].className}`}>
                    <span aria-hidden="true">{LOOK[s].symbol}</span> {LOOK[s].label}
                  </td>
                  <td className="td break-all font-mono text-xs">{w.id}</td>
                  <td className="td">{w.queues.join(', ')}</td>
                  <td className="td">{w.types.length ? w.types.join(', ') : <span className="text-slate-500">every type</span>}</td>
                  <td className="td text-right tabular-nums">
                    {w.runningJobs} / {w.concurrency}
                  </td>
                  <td className="td whitespace-nowrap text-xs">
                    {w.hostname ?? '—'} · {w.pid ?? '—'}
                  </td>
                  <td className={`td ${LOOK[s].className}`}>
                    <When at={w.lastSeenAt} now={now} />
                  </td>
                  <td className="td">
                    <Absolute at={w.startedAt} />
                  </td>
                </tr>
              )
            })}
            {workers.data && list.length === 0 && (
              <tr>
                <td className="td py-6 text-center text-slate-500" colSpan={8}>
                  No live worker. Start one with <code>conveyor worker --handlers FILE</code> (or <code>npm start</code>, which runs the demo handlers).
                </td>
              </tr>
            )}
          </tbody>
        </table>
      </div>
      <p className="text-xs text-slate-500">
        Live: heard from in the last {LATE_MS / 1000} s; late: within {STALE_MS / 1000} s; stale: longer ago (it may have died; its jobs return to the queue when
        their lease runs out).
      </p>
    </div>
  )
}
