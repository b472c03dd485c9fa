import type { JobStatus } from '@conveyor/client'
import { useQuery } from '@tanstack/react-query'
import { Link } from 'react-router'
import { client, errorMessage } from '../api.ts'
import { StatusBadge } from '../components/status-badge.tsx'
import { ThroughputChart } from '../components/throughput-chart.tsx'
import { When } from '../components/time.tsx'
import { formatCount, formatDuration, formatPercent } from '../lib/format.ts'
import { fillSeries } from '../lib/series.ts'
import { useNow } from '../prefs.tsx'
import { queueHealth } from '../lib/queue-health.ts'

const HOUR = 3_600_000

interface Card {
  key: string
  label: string
  status?: JobStatus
  count: number | undefined
  to: string
  hint?: string
}

export function OverviewPage() {
  const now = useNow(10_000)
  const stats = useQuery({ queryKey: ['stats'], queryFn: () => client.stats() })
  const queues = useQuery({ queryKey: ['queues'], queryFn: () => client.listQueues() })
  const workers = useQuery({ queryKey: ['workers'], queryFn: () => client.listWorkers() })
  const summary = useQuery({ queryKey: ['metrics', 'summary', '1h'], queryFn: () => client.metricsSummary({ window: '1h' }), refetchInterval: 30_000 })
  const errors = useQuery({ queryKey: ['metrics', 'errors', '1h', 5], queryFn: () => client.errorGroups({ window: '1h', limit: 5 }), refetchInterval: 60_000 })

  const s = stats.data?.stats
  const cards: Card[] = [
    { key: 'ready', label: 'ready', status: 'pending', count: s && s.pending - s.scheduled, to: '/jobs?status=pending&sort=queue', hint: 'ready to run now' },
    { key: 'scheduled', label: 'scheduled', status: 'pending', count: s?.scheduled, to: '/jobs?status=pending&sort=queue', hint: 'scheduled for later' },
    { key: 'running', label: 'running', status: 'running', count: s?.running, to: '/jobs?status=running' },
    { key: 'completed', label: 'completed', status: 'completed', count: s?.completed, to: '/jobs?status=completed' },
    { key: 'failed', label: 'failed', status: 'failed', count: s?.failed, to: '/jobs?status=failed' },
    { key: 'cancelled', label: 'cancelled', status: 'cancelled', count: s?.cancelled, to: '/jobs?status=cancelled' },
    { key: 'total', label: 'all jobs', count: s?.total, to: '/jobs' },
  ]
  const health = queueHealth(queues.data?.queues ?? [], workers.data?.workers ?? [], now)
  const sum = summary.data?.summary
  const points = sum ? fillSeries(sum.series, HOUR, sum.stepMs, now) : []
  // The rollups lag the jobs by a few seconds; the error groups are read from the jobs themselves.
  const failedLastHour = Math.max(sum?.totals.failed ?? 0, (errors.data?.errors ?? []).reduce((n, g) => n + g.count, 0))
  const problems = [
    ...health.filter((q) => q.warning).map((q) => `queue “${q.name}”: ${q.warning}`),
    ...(failedLastHour > 0 ? [`${formatCount(failedLastHour)} job${failedLastHour === 1 ? '' : 's'} failed in the last hour`] : []),
  ]

  return (
    <div className="space-y-6">
      <h1 className="text-xl font-semibold">Overview</h1>
      {(stats.isError || queues.isError) && (
        <p role="alert" className="text-rose-700">
          {errorMessage(stats.error ?? queues.error)}
        </p>
      )}

      <section aria-label="at a glance" className={`card flex items-start gap-3 ${problems.length ? 'border-amber-400 dark:border-amber-700' : ''}`}>
        <span aria-hidden="true" className="text-xl">
          {problems.length ? '⚠' : '✓'}
        </span>
        <div>
          <h2 className="font-semibold" data-testid="health-summary">
            {!s ? 'Checking…' : problems.length ? `${problems.length} thing${problems.length > 1 ? 's' : ''} to look at` : 'All clear'}
          </h2>
          {problems.length > 0 && (
            <ul className="mt-1 list-disc pl-5 text-sm">
              {problems.map((p) => (
                <li key={p}>{p}</li>
              ))}
            </ul>
          )}
        </div>
      </section>

      <section aria-label="jobs by status">
        <ul className="grid grid-cols-2 gap-3 sm:grid-cols-4 lg:grid-cols-7">
          {cards.map((c) => (
            <li key={c.key}>
              <Link to={c.to} className="card block h-full hover:border-indigo-400 dark:hover:border-indigo-500" data-testid={`count-${c.key}`} data-count={c.count ?? ''}>
                <div className="text-2xl font-semibold tabular-nums">{formatCount(c.count)}</div>
                <div className="mt-1">{c.status ? <StatusBadge status={c.status} /> : <span className="text-sm font-medium">{c.label}</span>}</div>
                {c.hint && <div className="mt-1 text-xs font-medium text-slate-600 dark:text-slate-300">{c.hint}</div>}
              </Link>
            </li>
          ))}
        </ul>
      </section>

      <section className="card" aria-labelledby="throughput-title">
        <div className="mb-2 flex flex-wrap items-baseline justify-between gap-2">
          <h2 id="throughput-title" className="font-semibold">
            Last hour{' '}
            <Link className="link text-sm font-normal" to="/stats">
              metrics
            </Link>
          </h2>
          {sum && (
            <p className="text-sm text-slate-600 dark:text-slate-300" data-testid="hour-totals">
              {formatCount(sum.totals.completed)} completed · {formatCount(sum.totals.failed)} failed · {formatCount(sum.totals.enqueued)} enqueued ·
              success {sum.successRate === null ? '—' : `${(100 * sum.successRate).toFixed(1)}%`} · p95 {formatDuration(sum.duration.p95Ms)}
            </p>
          )}
        </div>
        {summary.isError ? (
          <p className="text-sm text-slate-500">Throughput is not available: {errorMessage(summary.error)}</p>
        ) : (
          <ThroughputChart points={points} stepLabel="minute" />
        )}
      </section>

      <section className="card overflow-x-auto" aria-labelledby="queues-title">
        <h2 id="queues-title" className="mb-2 font-semibold">
          Queues
        </h2>
        <table className="w-full text-sm">
          <thead>
            <tr>
              <th className="th">queue</th>
              <th className="th text-right">depth</th>
              <th className="th">oldest pending</th>
              <th className="th text-right">running</th>
              <th className="th text-right">failure rate</th>
              <th className="th text-right">workers</th>
              <th className="th">state</th>
            </tr>
          </thead>
          <tbody>
            {health.map((q) => (
              <tr key={q.name} className="border-t border-slate-100 dark:border-slate-800" data-testid={`queue-${q.name}`}>
                <td className="td">
                  <Link className="link" to={`/jobs?queue=${encodeURIComponent(q.name)}`}>
                    {q.name}
                  </Link>
                </td>
                <td className="td text-right tabular-nums">{formatCount(q.pending)}</td>
                <td className="td">{q.oldestPendingAt ? <When at={q.oldestPendingAt} now={now} /> : '—'}</td>
                <td className="td text-right tabular-nums">{formatCount(q.running)}</td>
                <td className="td text-right tabular-nums" title="failed ÷ (completed + failed) of the jobs kept">
                  {formatPercent(q.failed, q.failed + q.completed)}
                </td>
                <td className="td text-right tabular-nums">{q.liveWorkers}</td>
                <td className="td">
                  {q.paused && <span className="mr-2 rounded bg-slate-200 px-1.5 py-0.5 text-xs dark:bg-slate-700">❚❚ paused</span>}
                  {q.warning ? (
                    <span className="text-amber-800 dark:text-amber-300" role="status">
                      ⚠ {q.warning}
                    </span>
                  ) : (
                    !q.paused && <span className="text-slate-500">✓ ok</span>
                  )}
                </td>
              </tr>
            ))}
            {queues.data && health.length === 0 && (
              <tr>
                <td className="td text-slate-500" colSpan={7}>
                  No queues yet: enqueue a job.
                </td>
              </tr>
            )}
          </tbody>
        </table>
      </section>

      {errors.data && errors.data.errors.length > 0 && (
        <section className="card" aria-labelledby="errors-title">
          <h2 id="errors-title" className="mb-2 font-semibold">
            Most frequent errors, last hour{' '}
            <Link className="link text-sm font-normal" to="/errors?window=1h">
              all errors
            </Link>
          </h2>
          <ul className="space-y-2 text-sm">
            {errors.data.errors.map((g) => (
              <li key={`${g.name}|${g.shape}`} className="flex flex-wrap items-baseline gap-2">
                <span className="tabular-nums font-semibold">{formatCount(g.count)}×</span>
                <span className="font-mono text-xs">{g.name}</span>
                <span className="break-all">{g.shape}</span>
                <span className="text-xs text-slate-500">
                  in {g.types.join(', ')} · last <When at={g.lastSeen} now={now} /> ·{' '}
                  <Link className="link" to={`/jobs/${g.sampleJobId}`}>
                    example
                  </Link>
                </span>
              </li>
            ))}
          </ul>
        </section>
      )}
    </div>
  )
}
