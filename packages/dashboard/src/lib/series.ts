/** One step of the throughput chart. */
export interface SeriesPoint {
  at: number
  completed: number
  failed: number
  enqueued: number
}

/**
 * The metrics summary lists only the steps that had activity; the chart needs every step of the
 * window, oldest first, with zeros where nothing happened. Steps are aligned the way the server bins
 * them (multiples of stepMs since 2000-01-01 UTC, which is a multiple of every step the API uses).
 */
export function fillSeries(
  points: readonly { at: string; completed: number; failed: number; enqueued: number }[],
  windowMs: number,
  stepMs: number,
  now: number,
): SeriesPoint[] {
  const byStep = new Map<number, SeriesPoint>()
  for (const p of points) {
    const at = Date.parse(p.at)
    byStep.set(at, { at, completed: p.completed, failed: p.failed, enqueued: p.enqueued })
  }
  const last = Math.floor(now / stepMs) * stepMs
  const steps = Math.round(windowMs / stepMs)
  const out: SeriesPoint[] = []
  for (let i = steps - 1; i >= 0; i--) {
    const at = last - i * stepMs
    out.push(byStep.get(at) ?? { at, completed: 0, failed: 0, enqueued: 0 })
  }
  return out
}
