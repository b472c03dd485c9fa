import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query'
import { Link } from 'react-router'
import { client, errorMessage } from '../api.ts'
import { When } from '../components/time.tsx'
import { formatCount, formatPercent } from '../lib/format.ts'
import { queueHealth } from '../lib/queue-health.ts'
import { useNow } from '../prefs.tsx'
import { useSession } from '../session.tsx'

export function QueuesPage() {
  const { can } = useSession()
  const qc = useQueryClient()
  const now = useNow(10_000)
  const queues = useQuery({ queryKey: ['queues'], queryFn: () => client.listQueues() })
  const workers = useQuery({ queryKey: ['workers'], queryFn: () => client.listWorkers() })
  const toggle = useMutation({
    mutationFn: ({ name, pause }: { name: string; pause: boolean }) => (pause ? client.pauseQueue(name) : client.resumeQueue(name)),
    onSuccess: () => void qc.invalidateQueries({ queryKey: ['queues'] }),
  })
  const rows = queueHealth(queues.data?.queues ?? [], workers.data?.workers ?? [], now)
  return (
    <div className="space-y-4">
      <h1 className="text-xl font-semibold">Queues</h1>
      {(queues.isError || toggle.isError) && (
        <p role="alert" className="text-sm text-rose-700">
          {errorMessage(queues.error ?? toggle.error)}
        </p>
      )}
      <div className="card overflow-x-auto p-0">
        <table className="w-full text-sm">
          <thead>
            <tr>
              <th className="th">queue</th>
              <th className="th">state</th>
              <th className="th text-right">pending</th>
              <th className="th">oldest pending</th>
              <th className="th text-right">running</th>
              <th className="th text-right">completed</th>
              <th className="th text-right">failed</th>
              <th className="th text-right">cancelled</th>
              <th className="th text-right">failure rate</th>
              <th className="th text-right">live workers</th>
              {can.admin && <th className="th">action</th>}
            </tr>
          </thead>
          <tbody>
            {rows.map((q) => (
              <tr key={q.name} className="border-t border-slate-100 dark:border-slate-800" data-testid={`queue-row-${q.name}`}>
                <td className="td font-medium">
                  <Link className="link" to={`/jobs?queue=${encodeURIComponent(q.name)}`}>
                    {q.name}
                  </Link>
                </td>
                <td className="td whitespace-nowrap">
                  {q.paused ? <span>❚❚ paused</span> : <span>▶ active</span>}
                  {q.warning && <div className="text-xs text-amber-800 dark:text-amber-300">⚠ {q.warning}</div>}
                </td>
                <td className="td text-right tabular-nums">
                  <Link className="link" to={`/jobs?queue=${encodeURIComponent(q.name)}&status=pending&sort=queue`}>
                    {formatCount(q.pending)}
                  </Link>
                </td>
                <td className="td">{q.oldestPendingAt ? <When at={q.oldestPendingAt} now={now} /> : '—'}</td>
                <td className="td text-right tabular-nums">{formatCount(q.running)}</td>
                <td className="td text-right tabular-nums">{formatCount(q.completed)}</td>
                <td className="td text-right tabular-nums">
                  <Link className="link" to={`/jobs?queue=${encodeURIComponent(q.name)}&status=failed`}>
                    {formatCount(q.failed)}
                  </Link>
                </td>
                <td className="td text-right tabular-nums">{formatCount(q.cancelled)}</td>
                <td className="td text-right tabular-nums">{formatPercent(q.failed, q.failed + q.completed)}</td>
                <td className="td text-right tabular-nums">{q.liveWorkers}</td>
                {can.admin && (
                  <td className="td">
                    <button type="button" className="btn btn-sm" disabled={toggle.isPending} onClick={() => toggle.mutate({ name: q.name, pause: !q.paused })}>
                      {q.paused ? 'Resume' : 'Pause'}
                    </button>
                  </td>
                )}
              </tr>
            ))}
            {queues.data && rows.length === 0 && (
              <tr>
                <td className="td py-6 text-center text-slate-500" colSpan={11}>
                  No queues yet.
                </td>
              </tr>
            )}
          </tbody>
        </table>
      </div>
      <p className="text-xs text-slate-500">A paused queue keeps its jobs; workers claim nothing from it until it is resumed. Running jobs finish.</p>
    </div>
  )
}
