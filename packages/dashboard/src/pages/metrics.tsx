import { keepPreviousData, useQuery } from '@tanstack/react-query'
import { Link, useSearchParams } from 'react-router'
import { client, type MetricsSummary } from '../api.ts'
import { ThroughputChart } from '../components/throughput-chart.tsx'
import { Duration } from '../components/time.tsx'
import { WindowPicker } from '../components/window-picker.tsx'
import { formatCount, formatDuration } from '../lib/format.ts'
import { type MetricsView, readMetricsView, WINDOW_LOOK, writeMetricsView } from '../lib/metrics-window.ts'
import { fillSeries } from '../lib/series.ts'
import { useNow } from '../prefs.tsx'
import { EmptyRow, ErrorNote } from '../components/notes.tsx'

type Distribution = MetricsSummary['duration']

const rate = (r: number | null) => (r === null ? '—' : `${(100 * r).toFixed(1)}%`)

/** Throughput, success rate, durations per type, wait, and queue depth now, over a window kept in the URL. */
export function MetricsPage() {
  const [params, setParams] = useSearchParams()
  const view = readMetricsView(params, '1h')
  const setView = (v: MetricsView, replace = false) => setParams(writeMetricsView(v), { replace })
  const now = useNow(30_000)
  const query = { window: view.window, ...(view.queue ? { queue: view.queue } : {}), ...(view.type ? { type: view.type } : {}) }
  const summary = useQuery({
    queryKey: ['metrics', 'summary', query],
    queryFn: () => client.metricsSummary(query),
    placeholderData: keepPreviousData,
    refetchInterval: 30_000,
  })
  const s = summary.data?.summary
  const look = WINDOW_LOOK[view.window]
  // While another window loads, the previous one's numbers stay (dimmed) rather than the page emptying.
  const stale = summary.isPlaceholderData

  return (
    <div className="space-y-4">
      <div className="flex flex-wrap items-center gap-3">
        <h1 className="text-xl font-semibold">Metrics</h1>
        <span className="text-sm text-slate-500">{look.label}</span>
        <div className="ml-auto">
          <WindowPicker view={view} onChange={setView} />
        </div>
      </div>
      <ErrorNote error={summary.error} />
      {s && (
        <div className={`space-y-4 ${stale ? 'opacity-60' : ''}`} data-testid="metrics" data-window={stale ? '' : s.window}>
          <section aria-label="totals">
            <ul className="grid grid-cols-2 gap-3 sm:grid-cols-3 lg:grid-cols-6">
              <Stat id="enqueued" label="enqueued" value={s.totals.enqueued} />
              <Stat id="completed" label="✓ completed" value={s.totals.completed} />
              <Stat id="failed" label="✕ failed" value={s.totals.failed} to={`/errors?${writeMetricsView(view).toString()}`} />
              <Stat id="cancelled" label="⊘ cancelled" value={s.totals.cancelled} />
              <li className="card" data-testid="metric-success-rate">
                <div className="text-2xl font-semibold tabular-nums">{rate(s.successRate)}</div>
                <div className="mt-1 text-sm font-medium">success rate</div>
                <div className="text-xs text-slate-500">completed ÷ finished</div>
              </li>
              <li className="card">
                <div className="text-2xl font-semibold tabular-nums">{formatDuration(s.duration.p95Ms)}</div>
                <div className="mt-1 text-sm font-medium">p95 duration</div>
                <div className="text-xs text-slate-500">p50 {formatDuration(s.duration.p50Ms)}</div>
              </li>
            </ul>
          </section>

          <section className="card" aria-labelledby="throughput-title">
            <h2 id="throughput-title" className="mb-2 font-semibold">
              Throughput
            </h2>
            <ThroughputChart points={fillSeries(s.series, look.ms, s.stepMs, now)} stepLabel={look.step} />
          </section>

          <section className="card overflow-x-auto" aria-labelledby="types-title">
            <h2 id="types-title" className="mb-2 font-semibold">
              By type
            </h2>
            <table className="w-full text-sm" data-testid="by-type">
              <thead>
                <tr>
                  <th className="th">type</th>
                  <th className="th text-right">completed</th>
                  <th className="th text-right">failed</th>
                  <th className="th text-right">success</th>
                  <th className="th text-right">p50</th>
                  <th className="th text-right">p95</th>
                  <th className="th text-right">p99</th>
                  <th className="th text-right">max</th>
                  <th className="th text-right">wait p50</th>
                  <th className="th text-right">wait p95</th>
                </tr>
              </thead>
              <tbody>
                {s.byType.map((t) => (
                  <TypeRow key={t.type} name={t.type} completed={t.completed} failed={t.failed} successRate={t.successRate} duration={t.duration} wait={t.wait} />
                ))}
                {s.byType.length > 1 && (
                  <TypeRow name="all types" completed={s.totals.completed} failed={s.totals.failed} successRate={s.successRate} duration={s.duration} wait={s.wait} total />
                )}
                {s.byType.length === 0 && (
                  <EmptyRow colSpan={10}>
                    Nothing finished in the {look.label}.
                  </EmptyRow>
                )}
              </tbody>
            </table>
            <p className="mt-2 text-xs text-slate-500">Duration: start to finish of the handler. Wait: from when a job could run to when it started.</p>
          </section>

          <div className="grid gap-4 lg:grid-cols-2">
            <section className="card" aria-labelledby="wait-title">
              <h2 id="wait-title" className="mb-2 font-semibold">
                Wait time
              </h2>
              <dl className="grid grid-cols-5 gap-2 text-center text-sm" data-testid="wait">
                {(
                  [
                    ['average', s.wait.avgMs],
                    ['p50', s.wait.p50Ms],
                    ['p95', s.wait.p95Ms],
                    ['p99', s.wait.p99Ms],
                    ['max', s.wait.maxMs],
                  ] as const
                ).map(([label, ms]) => (
                  <div key={label}>
                    <dt className="text-xs text-slate-500">{label}</dt>
                    <dd className="font-semibold">
                      <Duration ms={ms} />
                    </dd>
                  </div>
                ))}
              </dl>
              <p className="mt-2 text-xs text-slate-500">over {formatCount(s.wait.count)} started jobs</p>
            </section>

            <section className="card overflow-x-auto" aria-labelledby="depth-title">
              <h2 id="depth-title" className="mb-2 font-semibold">
                Queues now
              </h2>
              <table className="w-full text-sm" data-testid="queue-depth">
                <thead>
                  <tr>
                    <th className="th">queue</th>
                    <th className="th text-right">depth</th>
                    <th className="th text-right">running</th>
                    <th className="th">oldest pending</th>
                  </tr>
                </thead>
                <tbody>
                  {s.queues.map((q) => (
                    <tr key={q.name} className="border-t border-slate-100 dark:border-slate-800" data-testid={`depth-${q.name}`} data-depth={q.pending}>
                      <td className="td">
                        <Link className="link" to={`/jobs?queue=${encodeURIComponent(q.name)}&status=pending&sort=queue`}>
                          {q.name}
                        </Link>
                        {q.paused && <span className="ml-2 text-xs">❚❚ paused</span>}
                      </td>
                      <td className="td text-right tabular-nums">{formatCount(q.pending)}</td>
                      <td className="td text-right tabular-nums">{formatCount(q.running)}</td>
                      <td className="td">{q.oldestPendingAgeMs === null ? '—' : `${formatDuration(q.oldestPendingAgeMs)} old`}</td>
                    </tr>
                  ))}
                  {s.queues.length === 0 && (
                    <EmptyRow colSpan={4}>
                      No queues yet.
                    </EmptyRow>
                  )}
                </tbody>
              </table>
            </section>
          </div>
        </div>
      )}
    </div>
  )
}

function Stat({ id, label, value, to }: { id: string; label: string; value: number; to?: string }) {
  const body = (
    <>
      <div className="text-2xl font-semibold tabular-nums">{formatCount(value)}</div>
      <div className="mt-1 text-sm font-medium">{label}</div>
    </>
  )
  return (
    <li>
      {to ? (
        <Link to={to} className="card block h-full hover:border-indigo-400" data-testid={`metric-${id}`} data-count={value}>
          {body}
        </Link>
      ) : (
        <div className="card h-full" data-testid={`metric-${id}`} data-count={value}>
          {body}
        </div>
      )}
    </li>
  )
}

function TypeRow(p: { name: string; completed: number; failed: number; successRate: number | null; duration: Distribution; wait: Distribution; total?: boolean }) {
  return (
    <tr className={`border-t border-slate-100 dark:border-slate-800 ${p.total ? 'font-semibold' : ''}`} data-testid={p.total ? 'type-all' : `type-${p.name}`}>
      <td className="td">
        {p.total ? (
          p.name
        ) : (
          <Link className="link font-mono text-xs" to={`/jobs?type=${encodeURIComponent(p.name)}`}>
            {p.name}
          </Link>
        )}
      </td>
      <td className="td text-right tabular-nums">{formatCount(p.completed)}</td>
      <td className="td text-right tabular-nums">{formatCount(p.failed)}</td>
      <td className="td text-right tabular-nums">{rate(p.successRate)}</td>
      {[p.duration.p50Ms, p.duration.p95Ms, p.duration.p99Ms, p.duration.maxMs, p.wait.p50Ms, p.wait.p95Ms].map((ms, i) => (
        <td key={i} className="td text-right">
          <Duration ms={ms} />
        </td>
      ))}
    </tr>
  )
}
