/**
 * Histogram bounds (ms) of the rollups' duration and wait buckets. Bucket i counts values v with
 * BOUNDS[i-1] <= v < BOUNDS[i] (bucket 0: v < 5 ms; the last: v >= 15 min), as width_bucket() numbers
 * them. Changing the bounds needs a migration that resets the rollups.
 */
export const BUCKET_BOUNDS_MS = [5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000, 10_000, 30_000, 60_000, 300_000, 900_000] as const
export const BUCKET_COUNT = BUCKET_BOUNDS_MS.length + 1

/** Adds histograms element-wise (missing entries count as 0). */
export function addBuckets(into: number[], add: readonly number[]): number[] {
  for (let i = 0; i < BUCKET_COUNT; i++) into[i] = (into[i] ?? 0) + (add[i] ?? 0)
  return into
}

/**
 * The q-quantile (0..1) of a histogram, interpolating linearly inside the bucket where it falls; the
 * last bucket's upper edge is the observed maximum. Null for an empty histogram.
 */
export function quantile(buckets: readonly number[], q: number, max: number): number | null {
  const total = buckets.reduce((a, b) => a + b, 0)
  if (total === 0) return null
  const rank = q * total
  let seen = 0
  for (let i = 0; i < BUCKET_COUNT; i++) {
    const n = buckets[i] ?? 0
    if (n > 0 && seen + n >= rank) {
      const lo = i === 0 ? 0 : BUCKET_BOUNDS_MS[i - 1]!
      const hi = Math.min(i < BUCKET_BOUNDS_MS.length ? BUCKET_BOUNDS_MS[i]! : max, Math.max(max, lo))
      return Math.round(lo + ((rank - seen) / n) * (hi - lo))
    }
    seen += n
  }
  return max
}
