import type { Db } from '../db/db.ts'
import { ConveyorError, ErrorCodes } from '../errors.ts'
import type { JobStore } from '../jobs/job-store.ts'
import { addBuckets, BUCKET_BOUNDS_MS, BUCKET_COUNT, quantile } from './buckets.ts'
import { buildMetricsQueries, type MetricsQueries } from './queries.ts'

const MIN = 60_000
const HOUR = 60 * MIN
const DAY = 24 * HOUR

/** The windows the summary offers, each with the step of its series. */
export const WINDOWS = {
  '1h': { ms: HOUR, stepMs: MIN },
  '24h': { ms: DAY, stepMs: 15 * MIN },
  '7d': { ms: 7 * DAY, stepMs: HOUR },
  '30d': { ms: 30 * DAY, stepMs: 6 * HOUR },
} as const
export type MetricsWindow = keyof typeof WINDOWS

export interface Distribution {
  count: number
  avgMs: number | null
  p50Ms: number | null
  p95Ms: number | null
  p99Ms: number | null
  maxMs: number | null
}

export interface MetricsPoint {
  at: Date
  enqueued: number
  completed: number
  failed: number
  cancelled: number
}

export interface MetricsSummary {
  window: MetricsWindow
  stepMs: number
  series: MetricsPoint[]
  totals: { enqueued: number; completed: number; failed: number; cancelled: number }
  /** completed / (completed + failed), null when nothing finished. */
  successRate: number | null
  duration: Distribution
  wait: Distribution
  byType: ({ type: string; completed: number; failed: number; successRate: number | null } & { duration: Distribution; wait: Distribution })[]
  queues: { name: string; paused: boolean; pending: number; running: number; oldestPendingAgeMs: number | null }[]
}

export interface ErrorGroup {
  name: string
  /** The message with numbers, ids and quoted text folded, e.g. `timeout after <n> ms`. */
  shape: string
  count: number
  firstSeen: Date
  lastSeen: Date
  sampleJobId: string
  sampleMessage: string
  types: string[]
}

type Row = Record<string, unknown>

/** Reads the rollups (see rollup.ts) as a summary, and groups recent failures. */
export class MetricsStore {
  readonly q: MetricsQueries

  constructor(
    private readonly db: Db,
    private readonly jobs: JobStore,
    schema: string,
  ) {
    this.q = buildMetricsQueries(schema)
  }

  async summary(options: { window?: string; queue?: string; type?: string } = {}): Promise<MetricsSummary> {
    const window = parseWindow(options.window)
    const { ms, stepMs } = WINDOWS[window]
    const queue = options.queue ?? null
    const type = options.type ?? null
    const [series, byType, queues] = await Promise.all([
      this.db.query<Row>(this.q.metricsSeries, [ms, stepMs, queue, type]),
      this.db.query<Row>(this.q.metricsByType, [ms, queue, type]),
      this.jobs.listQueues(),
    ])
    const totals = { enqueued: 0, completed: 0, failed: 0, cancelled: 0 }
    const allDuration = emptyAcc()
    const allWait = emptyAcc()
    const types = byType.map((r) => {
      totals.enqueued += r.enqueued as number
      totals.completed += r.completed as number
      totals.failed += r.failed as number
      totals.cancelled += r.cancelled as number
      const d = acc(r, 'duration')
      const w = acc(r, 'wait')
      merge(allDuration, d)
      merge(allWait, w)
      return {
        type: r.type as string,
        completed: r.completed as number,
        failed: r.failed as number,
        successRate: rate(r.completed as number, r.failed as number),
        duration: distribution(d),
        wait: distribution(w),
      }
    })
    const now = Date.now()
    return {
      window,
      stepMs,
      series: series.map((r) => ({
        at: r.at as Date,
        enqueued: r.enqueued as number,
        completed: r.completed as number,
        failed: r.failed as number,
        cancelled: r.cancelled as number,
      })),
      totals,
      successRate: rate(totals.completed, totals.failed),
      duration: distribution(allDuration),
      wait: distribution(allWait),
      byType: types,
      queues: queues
        .filter((q) => queue === null || q.name === queue)
        .map((q) => ({
          name: q.name,
          paused: q.paused,
          pending: q.pending,
          running: q.running,
          oldestPendingAgeMs: q.oldestPendingAt ? Math.max(0, now - q.oldestPendingAt.getTime()) : null,
        })),
    }
  }

  async errors(options: { window?: string; queue?: string; type?: string; limit?: number } = {}): Promise<ErrorGroup[]> {
    const { ms } = WINDOWS[parseWindow(options.window ?? '24h')]
    const rows = await this.db.query<Row>(this.q.errorGroups, [ms, options.queue ?? null, options.type ?? null, options.limit ?? 50])
    return rows.map((r) => ({
      name: r.name as string,
      shape: r.shape as string,
      count: r.count as number,
      firstSeen: r.first_seen as Date,
      lastSeen: r.last_seen as Date,
      sampleJobId: r.sample_job_id as string,
      sampleMessage: (r.sample_message as string | null) ?? '',
      types: r.types as string[],
    }))
  }

  /** The ids of the failed jobs of one error group of errors(), e.g. to retry them all; `window` absent: whenever they failed. */
  async errorGroupJobIds(group: { name: string; shape: string; queue?: string; type?: string; window?: string }): Promise<string[]> {
    const windowMs = group.window === undefined ? null : WINDOWS[parseWindow(group.window)].ms
    const rows = await this.db.query<{ id: string }>(this.q.errorGroupJobIds, [group.name, group.shape, group.queue ?? null, group.type ?? null, windowMs])
    return rows.map((r) => r.id)
  }
}

export function parseWindow(value: string | undefined): MetricsWindow {
  const w = value ?? '1h'
  if (w in WINDOWS) return w as MetricsWindow
  throw new ConveyorError(ErrorCodes.invalidInput, `window must be one of ${Object.keys(WINDOWS).join(', ')}`, {
    details: [{ path: 'window', message: `got "${w}"` }],
  })
}

interface Acc {
  count: number
  total: number
  max: number
  buckets: number[]
}
const emptyAcc = (): Acc => ({ count: 0, total: 0, max: 0, buckets: new Array<number>(BUCKET_COUNT).fill(0) })
function acc(r: Row, prefix: 'duration' | 'wait'): Acc {
  return {
    count: r[`${prefix}_count`] as number,
    total: r[`${prefix}_total_ms`] as number,
    max: r[`${prefix}_max_ms`] as number,
    buckets: addBuckets(new Array<number>(BUCKET_COUNT).fill(0), r[`${prefix}_buckets`] as number[]),
  }
}
function merge(into: Acc, a: Acc) {
  into.count += a.count
  into.total += a.total
  into.max = Math.max(into.max, a.max)
  addBuckets(into.buckets, a.buckets)
}
function distribution(a: Acc): Distribution {
  if (a.count === 0) return { count: 0, avgMs: null, p50Ms: null, p95Ms: null, p99Ms: null, maxMs: null }
  return {
    count: a.count,
    avgMs: Math.round(a.total / a.count),
    p50Ms: quantile(a.buckets, 0.5, a.max),
    p95Ms: quantile(a.buckets, 0.95, a.max),
    p99Ms: quantile(a.buckets, 0.99, a.max),
    maxMs: a.max,
  }
}
const rate = (ok: number, bad: number) => (ok + bad === 0 ? null : ok / (ok + bad))

export { BUCKET_BOUNDS_MS }
