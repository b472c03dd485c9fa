import { METRICS_WINDOWS } from '@conveyor/contracts'

export type MetricsWindow = (typeof METRICS_WINDOWS)[number]
export { METRICS_WINDOWS }

const MINUTE = 60_000
const HOUR = 60 * MINUTE
const DAY = 24 * HOUR

/** How long each window is, and what one step of its series is called (the server's steps). */
export const WINDOW_LOOK: Record<MetricsWindow, { ms: number; step: string; label: string }> = {
  '1h': { ms: HOUR, step: 'minute', label: 'last hour' },
  '24h': { ms: DAY, step: '15 minutes', label: 'last 24 hours' },
  '7d': { ms: 7 * DAY, step: 'hour', label: 'last 7 days' },
  '30d': { ms: 30 * DAY, step: '6 hours', label: 'last 30 days' },
}

/** The metrics pages' view, as kept in the URL (`?window=24h&queue=…&type=…`). */
export interface MetricsView {
  window: MetricsWindow
  queue?: string
  type?: string
}

/** The view of a URL's search parameters; an unknown window falls back to the page's default. */
export function readMetricsView(params: URLSearchParams, fallback: MetricsWindow): MetricsView {
  const w = params.get('window')
  const view: MetricsView = { window: (METRICS_WINDOWS as readonly string[]).includes(w ?? '') ? (w as MetricsWindow) : fallback }
  for (const k of ['queue', 'type'] as const) {
    const v = params.get(k)?.trim()
    if (v) view[k] = v
  }
  return view
}

/** The search parameters of a view (the window always, so a shared link says which it shows). */
export function writeMetricsView(view: MetricsView): URLSearchParams {
  const p = new URLSearchParams({ window: view.window })
  if (view.queue) p.set('queue', view.queue)
  if (view.type) p.set('type', view.type)
  return p
}
