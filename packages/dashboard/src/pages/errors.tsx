import { keepPreviousData, useMutation, useQuery, useQueryClient } from '@tanstack/react-query'
import { useState } from 'react'
import { Link, useSearchParams } from 'react-router'
import { client, type ErrorGroup } from '../api.ts'
import { ConfirmDialog } from '../components/confirm-dialog.tsx'
import { Absolute, When } from '../components/time.tsx'
import { WindowPicker } from '../components/window-picker.tsx'
import { refreshAfterChange } from '../job-actions.ts'
import { formatCount } from '../lib/format.ts'
import { type MetricsView, readMetricsView, WINDOW_LOOK, writeMetricsView } from '../lib/metrics-window.ts'
import { useSession } from '../session.tsx'
import { EmptyRow, ErrorNote } from '../components/notes.tsx'

const GROUPS = 100

/** Failures grouped by error name and message shape, each with a way to its jobs and "retry all in this group". */
export function ErrorsPage() {
  const { can } = useSession()
  const qc = useQueryClient()
  const [params, setParams] = useSearchParams()
  const view = readMetricsView(params, '24h')
  const setView = (v: MetricsView, replace = false) => setParams(writeMetricsView(v), { replace })
  const query = { window: view.window, limit: GROUPS, ...(view.queue ? { queue: view.queue } : {}), ...(view.type ? { type: view.type } : {}) }
  const groups = useQuery({ queryKey: ['metrics', 'errors', query], queryFn: () => client.errorGroups(query), placeholderData: keepPreviousData, refetchInterval: 60_000 })
  const [confirm, setConfirm] = useState<ErrorGroup | null>(null)
  const [done, setDone] = useState<string | null>(null)
  const retry = useMutation({
    mutationFn: (g: ErrorGroup) =>
      client.retryErrorGroup({ name: g.name, shape: g.shape, window: view.window, ...(view.queue ? { queue: view.queue } : {}), ...(view.type ? { type: view.type } : {}) }),
    onSuccess: ({ affected }, g) => {
      setConfirm(null)
      setDone(`Retried ${formatCount(affected)} job${affected === 1 ? '' : 's'} of ${g.name}: ${g.shape}.`)
      refreshAfterChange(qc)
    },
  })
  const list = groups.data?.errors ?? []
  const look = WINDOW_LOOK[view.window]

  return (
    <div className="space-y-4">
      <div className="flex flex-wrap items-center gap-3">
        <h1 className="text-xl font-semibold">Errors</h1>
        <span className="text-sm text-slate-500">failed jobs of the {look.label}, grouped</span>
        <div className="ml-auto">
          <WindowPicker view={view} onChange={setView} />
        </div>
      </div>
      <ErrorNote error={groups.error ?? retry.error} />
      {done && (
        <p role="status" className="text-sm">
          ✓ {done}
        </p>
      )}
      <div className={`card overflow-x-auto p-0 ${groups.isPlaceholderData ? 'opacity-60' : ''}`}>
        <table className="w-full text-sm" data-testid="error-groups">
          <thead>
            <tr>
              <th className="th text-right">count</th>
              <th className="th">error</th>
              <th className="th">types</th>
              <th className="th">first seen</th>
              <th className="th">last seen</th>
              <th className="th">jobs</th>
              {can.act && <th className="th">action</th>}
            </tr>
          </thead>
          <tbody>
            {list.map((g) => (
              <tr key={`${g.name}|${g.shape}`} className="border-t border-slate-100 align-top dark:border-slate-800" data-testid="error-group" data-count={g.count}>
                <td className="td text-right font-semibold tabular-nums">{formatCount(g.count)}</td>
                <td className="td max-w-xl">
                  <div className="font-mono text-xs">{g.name}</div>
                  <div className="break-words" title={g.sampleMessage}>
                    {g.shape}
                  </div>
                </td>
                <td className="td font-mono text-xs">{g.types.join(', ')}</td>
                <td className="td">
                  <When at={g.firstSeen} />
                  <div className="text-xs text-slate-500">
                    <Absolute at={g.firstSeen} />
                  </div>
                </td>
                <td className="td">
                  <When at={g.lastSeen} />
                  <div className="text-xs text-slate-500">
                    <Absolute at={g.lastSeen} />
                  </div>
                </td>
                <td className="td whitespace-nowrap">
                  <Link className="link" to={g.link}>
                    failed jobs
                  </Link>
                  {' · '}
                  <Link className="link" to={`/jobs/${g.sampleJobId}`}>
                    example
                  </Link>
                </td>
                {can.act && (
                  <td className="td">
                    <button type="button" className="btn btn-sm" onClick={() => setConfirm(g)}>
                      Retry all
                    </button>
                  </td>
                )}
              </tr>
            ))}
            {groups.data && list.length === 0 && (
              <EmptyRow colSpan={7}>
                No failures in the {look.label}. ✓
              </EmptyRow>
            )}
          </tbody>
        </table>
      </div>
      <p className="text-xs text-slate-500">
        Messages are grouped by their shape: numbers, ids and quoted text are folded, so “timeout after 500 ms” and “timeout after 800 ms” are one group.
      </p>
      {confirm && (
        <ConfirmDialog
          title={`Retry ${formatCount(confirm.count)} job${confirm.count === 1 ? '' : 's'}?`}
          confirmLabel={`Retry ${formatCount(confirm.count)}`}
          busy={retry.isPending}
          onConfirm={() => retry.mutate(confirm)}
          onCancel={() => setConfirm(null)}
        >
          Every job that failed with <span className="font-mono">{confirm.name}</span>: “{confirm.shape}” in the {look.label} goes back to pending, its attempts
          counted from zero. Jobs retried or deleted meanwhile are left alone.
        </ConfirmDialog>
      )}
    </div>
  )
}
