/**
 * A progress bar that also says its value in words. The width is set through the DOM's style
 * property (React does that), which the CSP allows; a style attribute in HTML it would not.
 */
export function ProgressBar({ value, label, status }: { value: number; label?: string; status?: string }) {
  const v = Math.max(0, Math.min(100, Math.round(value)))
  const tone = status === 'failed' ? 'bg-rose-500' : status === 'completed' ? 'bg-emerald-500' : status === 'cancelled' ? 'bg-slate-400' : 'bg-sky-500'
  return (
    <div className="flex min-w-24 items-center gap-2">
      <div
        role="progressbar"
        aria-valuemin={0}
        aria-valuemax={100}
        aria-valuenow={v}
        aria-label={label ?? 'progress'}
        className="h-2 w-full min-w-12 overflow-hidden rounded-full bg-slate-200 dark:bg-slate-700"
      >
        <div className={`h-full rounded-full transition-[width] duration-300 ${tone}`} style={{ width: `${v}%` }} />
      </div>
      <span className="w-9 shrink-0 text-right text-xs tabular-nums text-slate-600 dark:text-slate-300">{v}%</span>
    </div>
  )
}
