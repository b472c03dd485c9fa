import type { Conveyor, JobEvent } from '@conveyor/core'
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client'

const SECONDS_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 900, 3600]
/** Jobs whose last state this server remembers, to time their waits and runs; oldest forgotten first. */
const MAX_TRACKED = 100_000

interface Seen {
  /** When it last became pending (ms), per its event's updatedAt. */
  pendingAt?: number
  /** When its current attempt started. */
  runningAt?: number
}

/** Distinct queue (or type) names with series of their own; the rest are summed under OTHER_LABEL. */
export const MAX_LABEL_VALUES = 200
export const OTHER_LABEL = '_other'

/**
 * Prometheus metrics of one server, in their own registry. Counts by state come from the database at
 * scrape time (one query); completions, failures, run times and waits come from the event stream,
 * which every server receives in full: scrape one server, or take max() across them, not sum().
 * Times come from the events' database timestamps, so they do not depend on this server's clock.
 */
export class Metrics {
  readonly registry = new Registry()
  readonly #enqueued: Counter<'queue'>
  readonly #finished: Record<'completed' | 'failed' | 'cancelled', Counter<'queue' | 'type'>>
  readonly #duration: Histogram<'queue' | 'type' | 'outcome'>
  readonly #wait: Histogram<'queue' | 'type'>
  readonly #requests: Counter<'route' | 'status'>
  readonly #seen = new Map<string, Seen>()
  /**
   * Queue and type names given their own series, per label: the first MAX_LABEL_VALUES seen; later
   * ones count under OTHER_LABEL. Names come from callers (a user token may enqueue under any queue and
   * type), and each new one added series to every job metric, kept in memory for good.
   */
  readonly #labelValues = { queue: new Set<string>(), type: new Set<string>() }

  constructor(conveyor: Conveyor, live: { streams: () => number; waitingClaims: () => number }) {
    const registers = [this.registry]
    const label = (kind: 'queue' | 'type', value: string) => this.#label(kind, value)
    collectDefaultMetrics({ register: this.registry })
    new Gauge({
      name: 'conveyor_jobs',
      help: 'Jobs by queue and state, counted in the database at scrape time.',
      labelNames: ['queue', 'state'],
      registers,
      async collect() {
        this.reset()
        for (const q of await conveyor.listQueues())
          for (const state of ['pending', 'running', 'completed', 'failed', 'cancelled'] as const)
            this.inc({ queue: label('queue', q.name), state }, q[state])
      },
    })
    new Gauge({
      name: 'conveyor_event_streams',
      help: 'Open event streams on this server (GET /api/events and GET /api/workers/cancels).',
      registers,
      collect() {
        this.set(live.streams())
      },
    })
    new Gauge({
      name: 'conveyor_claims_waiting',
      help: 'HTTP claims long-polling for work on this server.',
      registers,
      collect() {
        this.set(live.waitingClaims())
      },
    })
    this.#enqueued = new Counter({
      name: 'conveyor_jobs_enqueued_total',
      help: 'Jobs enqueued through this server (HTTP), duplicates excluded.',
      labelNames: ['queue'],
      registers,
    })
    const finished = (status: 'completed' | 'failed' | 'cancelled') =>
      new Counter({
        name: `conveyor_jobs_${status}_total`,
        help: `Jobs that ended ${status} (no attempts left, for failed), from the event stream: every process's jobs.`,
        labelNames: ['queue', 'type'],
        registers,
      })
    this.#finished = { completed: finished('completed'), failed: finished('failed'), cancelled: finished('cancelled') }
    this.#duration = new Histogram({
      name: 'conveyor_job_duration_seconds',
      help: 'Run time of attempts, from claim to the end of the attempt (outcome: completed, failed, cancelled, retried).',
      labelNames: ['queue', 'type', 'outcome'],
      buckets: SECONDS_BUCKETS,
      registers,
    })
    this.#wait = new Histogram({
      name: 'conveyor_job_wait_seconds',
      help: 'Time from becoming pending (enqueue, retry) to being claimed; includes any runAt delay or retry backoff.',
      labelNames: ['queue', 'type'],
      buckets: SECONDS_BUCKETS,
      registers,
    })
    this.#requests = new Counter({
      name: 'conveyor_http_requests_total',
      help: 'HTTP requests answered, by route id and status.',
      labelNames: ['route', 'status'],
      registers,
    })
  }

  enqueued(queue: string, n = 1): void {
    this.#enqueued.inc({ queue: this.#label('queue', queue) }, n)
  }

  #label(kind: 'queue' | 'type', value: string): string {
    const known = this.#labelValues[kind]
    if (known.has(value)) return value
    if (known.size >= MAX_LABEL_VALUES) return OTHER_LABEL
    known.add(value)
    return value
  }

  request(route: string, status: number): void {
    this.#requests.inc({ route, status: String(status) })
  }

  /** Feeds one job event (called for every event the server receives). */
  observe(e: JobEvent): void {
    const at = Date.parse(e.updatedAt)
    if (Number.isNaN(at)) return
    const seen = this.#seen.get(e.id)
    const labels = { queue: this.#label('queue', e.queue), type: this.#label('type', e.type) }
    if (e.status === 'pending') {
      if (seen?.runningAt !== undefined) this.#duration.observe({ ...labels, outcome: 'retried' }, (at - seen.runningAt) / 1000)
      this.#track(e.id, { pendingAt: at })
    } else if (e.status === 'running') {
      if (seen?.runningAt !== undefined) return // progress or a cancel request within the same attempt
      if (seen?.pendingAt !== undefined) this.#wait.observe(labels, Math.max(0, at - seen.pendingAt) / 1000)
      this.#track(e.id, { runningAt: at })
    } else {
      this.#finished[e.status].inc(labels)
      if (seen?.runningAt !== undefined) this.#duration.observe({ ...labels, outcome: e.status }, (at - seen.runningAt) / 1000)
      this.#seen.delete(e.id)
    }
  }

  #track(id: string, s: Seen) {
    this.#seen.delete(id)
    if (this.#seen.size >= MAX_TRACKED) this.#seen.delete(this.#seen.keys().next().value as string)
    this.#seen.set(id, s)
  }

  async render(): Promise<{ contentType: string; body: string }> {
    return { contentType: this.registry.contentType, body: await this.registry.metrics() }
  }
}
