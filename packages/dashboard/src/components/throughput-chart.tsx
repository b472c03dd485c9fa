import { formatAbsolute, formatCount } from '../lib/format.ts'
import type { SeriesPoint } from '../lib/series.ts'
import { usePrefs } from '../prefs.tsx'

/** The bars are drawn in a 0..N × 0..100 box stretched to the figure's size; labels are HTML, so they never stretch. */
const H = 100

/**
 * Completed and failed jobs per step, as stacked bars. Failures are outlined with dashes as well as red, so the
 * chart reads without colour; each bar has a tooltip with its numbers, and a table version is
 * available to screen readers.
 */
export function ThroughputChart({ points, stepLabel }: { points: readonly SeriesPoint[]; stepLabel: string }) {
  const { tz } = usePrefs()
  const max = Math.max(1, ...points.map((p) => p.completed + p.failed))
  const n = Math.max(1, points.length)
  const y = (v: number) => H - (v / max) * H
  const ticks = [...new Set([max, Math.round(max / 2), 0])]
  // Over a day or more the axis needs the date as well: `02-16 12:00`.
  const long = points.length > 1 && points.at(-1)!.at - points[0]!.at >= 86_400_000
  const time = (at: number) => formatAbsolute(new Date(at), tz).slice(long ? 5 : 11, 16)
  return (
    <figure>
      <div className="flex gap-2">
        <div className="relative w-10 shrink-0 text-right text-[10px] tabular-nums text-slate-500" aria-hidden="true">
          {ticks.map((t) => (
            <span key={t} className="absolute right-0 -translate-y-1/2" style={{ top: `${(y(t) / H) * 100}%` }}>
              {formatCount(t)}
            </span>
          ))}
        </div>
        <svg
          viewBox={`0 0 ${n} ${H}`}
          preserveAspectRatio="none"
          className="h-40 w-full border-b border-l border-slate-300 dark:border-slate-600"
          role="img"
          aria-label={`completed and failed jobs per ${stepLabel}`}
        >
          {ticks
            .filter((t) => t > 0)
            .map((t) => (
              <line key={t} x1={0} x2={n} y1={y(t)} y2={y(t)} className="stroke-slate-200 dark:stroke-slate-700" strokeWidth="1" vectorEffect="non-scaling-stroke" />
            ))}
          {points.map((p, i) => (
            <g key={p.at}>
              <title>{`${formatAbsolute(new Date(p.at), tz)}: ${p.completed} completed, ${p.failed} failed, ${p.enqueued} enqueued`}</title>
              <rect x={i} width={1} y={0} height={H} className="fill-transparent" />
              {p.completed > 0 && <rect x={i + 0.1} width={0.8} y={y(p.completed)} height={H - y(p.completed)} className="fill-emerald-500" />}
              {p.failed > 0 && <rect x={i + 0.1} width={0.8} y={y(p.completed + p.failed)} height={y(p.completed) - y(p.completed + p.failed)} className="fill-rose-500 stroke-rose-950 dark:stroke-rose-100" strokeWidth="1.5" strokeDasharray="3 2" vectorEffect="non-scaling-stroke" />}
            </g>
          ))}
        </svg>
      </div>
      <div className="ml-12 flex justify-between text-[10px] text-slate-500" aria-hidden="true">
        <span>{points.length > 0 ? time(points[0]!.at) : ''}</span>
        <span>{points.length > 1 ? time(points[Math.floor(points.length / 2)]!.at) : ''}</span>
        <span>now</span>
      </div>
      <figcaption className="mt-1 flex flex-wrap gap-4 text-xs text-slate-600 dark:text-slate-300">
        <span className="inline-flex items-center gap-1">
          <span aria-hidden="true" className="inline-block h-3 w-3 rounded-sm bg-emerald-500" /> completed (solid)
        </span>
        <span className="inline-flex items-center gap-1">
          <span aria-hidden="true" className="inline-block h-3 w-3 rounded-sm border border-dashed border-rose-950 bg-rose-500 dark:border-rose-100" />
          failed (dashed outline, on top)
        </span>
        <span>one bar per {stepLabel}</span>
      </figcaption>
      <table className="sr-only">
        <caption>Completed and failed jobs per {stepLabel}</caption>
        <thead>
          <tr>
            <th>time</th>
            <th>completed</th>
            <th>failed</th>
          </tr>
        </thead>
        <tbody>
          {points
            .filter((p) => p.completed + p.failed > 0)
            .map((p) => (
              <tr key={p.at}>
                <td>{formatAbsolute(new Date(p.at), tz)}</td>
                <td>{p.completed}</td>
                <td>{p.failed}</td>
              </tr>
            ))}
        </tbody>
      </table>
    </figure>
  )
}
