import { cpus, freemem, loadavg, totalmem } from 'node:os'
import type { BackendName } from './args.ts'
import { BACKEND_TITLES } from './backends.ts'
import { API_CONNECTIONS, GET_IDS, STREAMS } from './api-load.ts'
import { BATCH, FAIRNESS_OWNERS, IN_FLIGHT } from './scenarios.ts'

export interface Metric {
  key: string
  label: string
  unit: 'jobs/s' | 'ms' | 'req/s' | 'MB' | 'count' | '%' | 'µs/job'
}

/** A target: at least (throughput) or at most (latency) this value. */
export interface Target {
  op: '≥' | '≤'
  value: number
}

export function metrics(drainCount: number): Metric[] {
  const drained = drainCount.toLocaleString('en-US')
  return [
    { key: 'enqueue.sequential', label: 'enqueue, one at a time', unit: 'jobs/s' },
    { key: 'enqueue.inFlight', label: `enqueue, ${IN_FLIGHT} calls in flight`, unit: 'jobs/s' },
    { key: 'enqueue.batch', label: `enqueueMany, batches of ${BATCH}`, unit: 'jobs/s' },
    { key: 'drain.c10', label: `drain ${drained} no-op jobs, concurrency 10`, unit: 'jobs/s' },
    { key: 'drain.c50', label: `drain ${drained} no-op jobs, concurrency 50`, unit: 'jobs/s' },
    { key: 'drain.c50.cpuNode', label: 'drain, concurrency 50: CPU of this process (Node; with PGlite, all of it)', unit: 'µs/job' },
    { key: 'drain.c50.cpuServer', label: 'drain, concurrency 50: CPU of the PostgreSQL server (all its processes)', unit: 'µs/job' },
    { key: 'fairness.noLimits', label: `fairness: drain ${drained} jobs of ${FAIRNESS_OWNERS} owners, concurrency 50, no limits set`, unit: 'jobs/s' },
    { key: 'fairness.withoutFairness', label: 'fairness: the same drain without fairness (its index dropped)', unit: 'jobs/s' },
    { key: 'fairness.loss', label: 'fairness: drain throughput lost to it when no limits are set', unit: '%' },
    { key: 'fairness.limitNotBinding', label: 'fairness: the same drain with a limit that never binds (1,000 running per owner)', unit: 'jobs/s' },
    { key: 'latency.p50', label: 'enqueue → handler start, p50', unit: 'ms' },
    { key: 'latency.p95', label: 'enqueue → handler start, p95', unit: 'ms' },
    { key: 'latency.p99', label: 'enqueue → handler start, p99', unit: 'ms' },
    { key: 'floor.insert', label: 'floor: bare INSERT of one job row, one at a time (ceiling of enqueue one at a time)', unit: 'jobs/s' },
    { key: 'floor.batch', label: `floor: bare INSERT … SELECT of ${BATCH} job rows (ceiling of enqueueMany)`, unit: 'jobs/s' },
    { key: 'floor.drain', label: `floor: bare claim of 50 + complete by id, 4 loops, ${drained} jobs (ceiling of the drain)`, unit: 'jobs/s' },
    { key: 'floor.insertPkOnly', label: 'floor: the same one-row INSERT into a copy of the table with its primary key only', unit: 'jobs/s' },
    { key: 'dashboard.overview', label: "dashboard overview's queries (stats, queues, metrics), large table", unit: 'ms' },
    { key: 'dashboard.jobs', label: "dashboard jobs page's query, large table", unit: 'ms' },
    { key: 'dashboard.jobsFailed', label: "dashboard jobs page, status=failed, large table", unit: 'ms' },
    ...apiRows('api.enqueue', `API: POST /api/jobs, ${API_CONNECTIONS} connections`),
    ...apiRows('api.get', `API: GET /api/jobs/:id (${GET_IDS.toLocaleString('en-US')} ids), ${API_CONNECTIONS} connections`),
    { key: 'api.streams.rss', label: `API: ${STREAMS} open event streams, server RSS growth`, unit: 'MB' },
    { key: 'api.streams.heap', label: `API: ${STREAMS} open event streams, server JS heap growth`, unit: 'MB' },
  ]
}

function apiRows(key: string, label: string): Metric[] {
  return [
    { key, label, unit: 'req/s' },
    { key: `${key}.p50`, label: `${label}, p50`, unit: 'ms' },
    { key: `${key}.p99`, label: `${label}, p99`, unit: 'ms' },
    { key: `${key}.failed`, label: `${label}, non-2xx or failed requests`, unit: 'count' },
  ]
}

/** Every request of the API load must succeed, on any backend. */
const API_NO_FAILURES: Record<string, Target> = { 'api.enqueue.failed': { op: '≤', value: 0 }, 'api.get.failed': { op: '≤', value: 0 } }

/** The performance goals each backend is held to, printed beside the measurements. */
export const TARGETS: Record<BackendName, Record<string, Target>> = {
  pg: {
    'enqueue.sequential': { op: '≥', value: 2_500 },
    'enqueue.inFlight': { op: '≥', value: 20_000 },
    'enqueue.batch': { op: '≥', value: 60_000 },
    'drain.c50': { op: '≥', value: 37_000 },
    'fairness.loss': { op: '≤', value: 5 },
    'latency.p50': { op: '≤', value: 3 },
    'latency.p99': { op: '≤', value: 8 },
    'api.enqueue': { op: '≥', value: 5_000 },
    'api.enqueue.p99': { op: '≤', value: 50 },
    'api.get': { op: '≥', value: 10_000 },
    'api.get.p99': { op: '≤', value: 50 },
    'api.streams.rss': { op: '≤', value: 50 },
    'dashboard.overview': { op: '≤', value: 300 },
    'dashboard.jobs': { op: '≤', value: 300 },
    'dashboard.jobsFailed': { op: '≤', value: 300 },
    ...API_NO_FAILURES,
  },
  pglite: {
    'enqueue.sequential': { op: '≥', value: 4_000 },
    'drain.c50': { op: '≥', value: 10_000 },
    'fairness.loss': { op: '≤', value: 5 },
    ...API_NO_FAILURES,
  },
}

/** One backend's figures: the median of each metric over the runs, and every run's value. */
export interface BackendResult {
  backend: BackendName
  engine: string
  runs: Record<string, number>[]
  median: Record<string, number>
}

export function machine() {
  const cpu = cpus()
  return {
    cores: cpu.length,
    cpuModel: cpu[0]?.model ?? 'unknown',
    memoryGiB: round(totalmem() / 2 ** 30, 1),
    freeMemoryGiB: round(freemem() / 2 ** 30, 1),
    node: process.version,
    platform: `${process.platform} ${process.arch}`,
    /** 1, 5 and 15 minute load averages at the start: other work on a shared machine skews the figures. */
    loadAverage: loadavg().map((l) => round(l, 2)),
  }
}

export function meets(target: Target | undefined, value: number | undefined): boolean | null {
  if (!target || value === undefined || Number.isNaN(value)) return null
  return target.op === '≥' ? value >= target.value : value <= target.value
}

/** A markdown table: one row per metric, a value and target column per backend. */
export function table(results: BackendResult[], ms: Metric[]): string {
  const head = ['measurement', 'unit', ...results.flatMap((r) => [BACKEND_TITLES[r.backend], 'target'])]
  const rows = ms.map((m) => [
    m.label,
    m.unit,
    ...results.flatMap((r) => {
      const target = TARGETS[r.backend][m.key]
      const ok = meets(target, r.median[m.key])
      return [cell(m, r), target ? `${target.op} ${fmt(target.value, m.unit)} ${ok ? '✓' : '✗'}` : '']
    }),
  ])
  const lines = [head, head.map(() => '---'), ...rows].map((cols) => `| ${cols.join(' | ')} |`)
  return lines.join('\n')
}

/** The median; with several runs also the spread, so the noise of a shared machine is visible. */
function cell(m: Metric, r: BackendResult): string {
  const value = r.median[m.key]
  if (value === undefined) return 'n/a'
  const all = r.runs.map((run) => run[m.key]).filter((v): v is number => v !== undefined)
  if (all.length < 2) return fmt(value, m.unit)
  return `${fmt(value, m.unit)} (${fmt(Math.min(...all), m.unit)}–${fmt(Math.max(...all), m.unit)})`
}

function fmt(value: number, unit: Metric['unit']): string {
  if (Number.isNaN(value)) return 'n/a'
  if (unit === 'ms') return value.toFixed(2)
  if (unit === 'MB' || unit === '%') return value.toFixed(1)
  return Math.round(value).toLocaleString('en-US')
}

export function round(value: number, digits: number): number {
  const f = 10 ** digits
  return Math.round(value * f) / f
}
