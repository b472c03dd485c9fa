import type { JobStatus } from '@conveyor/client'

/** Each status has a symbol and a word as well as a colour: never colour alone. */
export const STATUS_LOOK: Record<JobStatus, { symbol: string; label: string; className: string }> = {
  pending: { symbol: '◷', label: 'pending', className: 'bg-amber-100 text-amber-900 ring-amber-300 dark:bg-amber-950 dark:text-amber-200 dark:ring-amber-800' },
  running: { symbol: '▶', label: 'running', className: 'bg-sky-100 text-sky-900 ring-sky-300 dark:bg-sky-950 dark:text-sky-200 dark:ring-sky-800' },
  completed: { symbol: '✓', label: 'completed', className: 'bg-emerald-100 text-emerald-900 ring-emerald-300 dark:bg-emerald-950 dark:text-emerald-200 dark:ring-emerald-800' },
  failed: { symbol: '✕', label: 'failed', className: 'bg-rose-100 text-rose-900 ring-rose-300 dark:bg-rose-950 dark:text-rose-200 dark:ring-rose-800' },
  cancelled: { symbol: '⊘', label: 'cancelled', className: 'bg-slate-200 text-slate-800 ring-slate-300 dark:bg-slate-800 dark:text-slate-200 dark:ring-slate-600' },
}

export function StatusBadge({ status, scheduled = false }: { status: JobStatus; scheduled?: boolean }) {
  const look = STATUS_LOOK[status]
  return (
    <span
      data-status={status}
      className={`inline-flex items-center gap-1 whitespace-nowrap rounded-full px-2 py-0.5 text-xs font-medium ring-1 ring-inset ${look.className}`}
    >
      <span aria-hidden="true">{look.symbol}</span>
      {look.label}
      {scheduled && <span className="font-normal">(scheduled)</span>}
    </span>
  )
}
