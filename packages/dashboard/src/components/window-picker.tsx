import { METRICS_WINDOWS, type MetricsView, WINDOW_LOOK } from '../lib/metrics-window.ts'

/** The metrics pages' window (1h, 24h, 7d, 30d) and queue / type narrowing; the page keeps them in the URL. */
export function WindowPicker({ view, onChange }: { view: MetricsView; onChange(view: MetricsView, replace?: boolean): void }) {
  const text = (k: 'queue' | 'type', label: string) => (
    <label className="flex items-center gap-1 text-sm">
      {label}
      <input
        className="input w-32 py-0.5"
        value={view[k] ?? ''}
        placeholder="any"
        onChange={(e) => {
          const { [k]: _old, ...rest } = view
          onChange(e.target.value.trim() ? { ...rest, [k]: e.target.value } : rest, true)
        }}
      />
    </label>
  )
  return (
    <div className="flex flex-wrap items-center gap-3">
      <div role="group" aria-label="window" className="inline-flex overflow-hidden rounded-md border border-slate-300 dark:border-slate-600">
        {METRICS_WINDOWS.map((w) => (
          <button
            key={w}
            type="button"
            aria-pressed={view.window === w}
            title={WINDOW_LOOK[w].label}
            className={`px-3 py-1 text-sm ${view.window === w ? 'bg-slate-900 text-white dark:bg-slate-100 dark:text-slate-900' : 'bg-white hover:bg-slate-50 dark:bg-slate-800 dark:hover:bg-slate-700'}`}
            onClick={() => onChange({ ...view, window: w })}
          >
            {w}
          </button>
        ))}
      </div>
      {text('queue', 'Queue')}
      {text('type', 'Type')}
    </div>
  )
}
