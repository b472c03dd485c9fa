import { setTimeout as sleep } from 'node:timers/promises'
import type { Conveyor, JobEvent } from '@conveyor/core'
import { type CpuCost, cpuNow, cpuPerJob } from './cpu.ts'
import { median, percentile, rate } from './stats.ts'
import { dashboardQueries } from './dashboard-queries.ts'
import { floor } from './floor.ts'

/** How much each scenario does; `--quick` takes the small set (a smoke run, not a measurement). */
export interface Sizes {
  warmup: number
  sequential: number
  inFlight: number
  batches: number
  drain: number
  latencySamples: number
  /** Seconds of HTTP load per API scenario, after a warm-up of its own (not counted). */
  apiSeconds: number
  apiWarmupSeconds: number
  /** Jobs in the table the dashboard's queries are timed at. */
  dashboardJobs: number
}

export const SIZES: Record<'full' | 'quick', Sizes> = {
  full: { warmup: 200, sequential: 3_000, inFlight: 20_000, batches: 50, drain: 20_000, latencySamples: 500, apiSeconds: 10, apiWarmupSeconds: 2, dashboardJobs: 1_000_000 },
  quick: { warmup: 20, sequential: 300, inFlight: 2_000, batches: 5, drain: 2_000, latencySamples: 60, apiSeconds: 3, apiWarmupSeconds: 1, dashboardJobs: 100_000 },
}

export const IN_FLIGHT = 32
export const BATCH = 1000
export const DRAIN_CONCURRENCIES = [10, 50] as const

/** One scenario: run on a fresh store, it answers its metrics by key (see report.ts for their names). */
export interface Scenario {
  /** For bench/profile.ts --scenario. */
  id: string
  name: string
  run(conveyor: Conveyor, sizes: Sizes): Promise<Record<string, number>>
}

const noop = (n: number, owner?: string) => ({ type: 'noop', payload: { n }, ...(owner ? { owner } : {}) })

/** Owners the fairness scenario spreads its jobs over, round robin. */
export const FAIRNESS_OWNERS = 100

export const SCENARIOS: Scenario[] = [
  {
    id: 'enqueue-sequential',
    name: 'enqueue one at a time',
    async run(c, sizes) {
      await enqueueSequential(c, sizes.warmup)
      const t0 = performance.now()
      await enqueueSequential(c, sizes.sequential)
      return { 'enqueue.sequential': rate(sizes.sequential, performance.now() - t0) }
    },
  },
  {
    id: 'enqueue-in-flight',
    name: `enqueue, ${IN_FLIGHT} in flight`,
    async run(c, sizes) {
      await enqueueConcurrent(c, sizes.warmup, IN_FLIGHT)
      const t0 = performance.now()
      await enqueueConcurrent(c, sizes.inFlight, IN_FLIGHT)
      return { 'enqueue.inFlight': rate(sizes.inFlight, performance.now() - t0) }
    },
  },
  {
    id: 'enqueue-batch',
    name: `enqueueMany, batches of ${BATCH}`,
    async run(c, sizes) {
      await enqueueBatches(c, 2)
      const t0 = performance.now()
      await enqueueBatches(c, sizes.batches)
      return { 'enqueue.batch': rate(sizes.batches * BATCH, performance.now() - t0) }
    },
  },
  ...DRAIN_CONCURRENCIES.map(
    (concurrency): Scenario => ({
      id: `drain-c${concurrency}`,
      name: `drain, concurrency ${concurrency}`,
      async run(c, sizes) {
        const cpu: CpuCost = { node: 0, server: undefined }
        const rate = await drain(c, sizes.drain, concurrency, 0, cpu)
        const key = `drain.c${concurrency}`
        // The server's CPU counts only on PostgreSQL: PGlite runs inside this process.
        return { [key]: rate, [`${key}.cpuNode`]: cpu.node, ...(c.db.kind === 'postgres' && cpu.server !== undefined ? { [`${key}.cpuServer`]: cpu.server } : {}) }
      },
    }),
  ),
  {
    id: 'fairness',
    name: 'fairness: drain of owned jobs at concurrency 50, with and without its index',
    run: (c, sizes) => fairnessOverhead(c, sizes.drain),
  },
  {
    id: 'dashboard',
    name: "the dashboard's queries at a large table",
    run: (c, sizes) => dashboardQueries(c, sizes.dashboardJobs),
  },
  {
    id: 'floor',
    name: 'floor: bare statements on the jobs table (ceilings of the rows above)',
    run: (c, sizes) => floor(c, sizes),
  },
  {
    id: 'latency',
    name: 'enqueue → handler start latency',
    async run(c, sizes) {
      const ms = (await latencies(c, sizes.latencySamples)).sort((a, b) => a - b)
      return { 'latency.p50': percentile(ms, 50), 'latency.p95': percentile(ms, 95), 'latency.p99': percentile(ms, 99) }
    },
  },
]

async function enqueueSequential(c: Conveyor, count: number) {
  for (let i = 0; i < count; i++) await c.enqueue(noop(i))
}

/** `lanes` loops each awaiting one enqueue at a time: `lanes` calls in flight, coalesced by the batcher. */
async function enqueueConcurrent(c: Conveyor, count: number, lanes: number) {
  let next = 0
  await Promise.all(
    Array.from({ length: lanes }, async () => {
      while (next < count) await c.enqueue(noop(next++))
    }),
  )
}

async function enqueueBatches(c: Conveyor, batches: number) {
  for (let b = 0; b < batches; b++) await c.enqueueMany(Array.from({ length: BATCH }, (_, i) => noop(b * BATCH + i)))
}

/**
 * Enqueues `count` no-op jobs (not timed), then times a worker from its start until the last job's
 * completion is committed: the completion events are published by the completing statement's NOTIFY,
 * so the count reaching `count` means every completion is durable.
 */
async function drain(c: Conveyor, count: number, concurrency: number, owners = 0, cpu?: CpuCost): Promise<number> {
  const owner = (n: number) => (owners > 0 ? `user-${n % owners}` : undefined)
  for (let done = 0; done < count; done += BATCH)
    await c.enqueueMany(Array.from({ length: Math.min(BATCH, count - done) }, (_, i) => noop(done + i, owner(done + i))))
  const completed = new Set<string>()
  const end = watch(c, (e, finish, fail) => {
    if (e.status === 'completed') completed.add(e.id)
    else if (e.status === 'failed') fail(new Error(`job ${e.id} failed during the drain`))
    if (completed.size === count) finish()
  }, () => `${completed.size} of ${count} completed`)
  await end.ready
  const before = cpuNow()
  const t0 = performance.now()
  const worker = c.work({ noop: () => null }, { concurrency })
  try {
    await end.done
    if (cpu) Object.assign(cpu, cpuPerJob(before, cpuNow(), count))
    return rate(count, performance.now() - t0)
  } finally {
    end.stop()
    await worker.stop()
  }
}

/**
 * What fair sharing costs a queue that sets no limits. The claim with no limits set is the statement
 * that ran before fairness existed; what fairness added to that path is one index (pending jobs with
 * an owner, written at enqueue) and a once-a-second read of the limits. So the same drain of owned
 * jobs (100 owners, concurrency 50) is timed with that index and with it dropped — the engine as it
 * was without fairness — in pairs (A B, B A, A B) on one store emptied between drains, so drift on a
 * shared machine falls on both; the loss is the median of the pairs'. Then once with a limit set that never binds (1,000 running per
 * owner): the fair claim's own cost, for information.
 */
async function fairnessOverhead(c: Conveyor, count: number): Promise<Record<string, number>> {
  const s = `"${c.schema.replace(/"/g, '""')}"`
  const index = (on: boolean) =>
    c.db.exec(
      on
        ? `CREATE INDEX IF NOT EXISTS jobs_owner_claim_idx ON ${s}.jobs (queue, owner, priority DESC, run_at, id) WHERE status = 'pending' AND owner IS NOT NULL`
        : `DROP INDEX IF EXISTS ${s}.jobs_owner_claim_idx`,
    )
  const drainOwned = async (withIndex: boolean) => {
    await c.db.exec(`TRUNCATE ${s}.jobs CASCADE`)
    await index(withIndex)
    return drain(c, count, 50, FAIRNESS_OWNERS)
  }
  const withIndex: number[] = []
  const withoutIndex: number[] = []
  const losses: number[] = []
  for (let round = 0; round < FAIRNESS_ROUNDS; round++) {
    // Alternate which goes first, so a machine slowing down or speeding up does not favour one.
    let a: number, b: number
    if (round % 2 === 0) {
      a = await drainOwned(true)
      b = await drainOwned(false)
    } else {
      b = await drainOwned(false)
      a = await drainOwned(true)
    }
    withIndex.push(a)
    withoutIndex.push(b)
    losses.push(((b - a) / b) * 100)
  }
  // The store as Conveyor made it again: the fair claim needs that index.
  await index(true)
  await c.db.exec(`TRUNCATE ${s}.jobs CASCADE`)
  await c.setQueueLimits('default', { ownerConcurrency: 1000, ownerEnqueuesPerMinute: null })
  const limited = await drain(c, count, 50, FAIRNESS_OWNERS)
  await c.setQueueLimits('default', { ownerConcurrency: null, ownerEnqueuesPerMinute: null })
  return {
    'fairness.noLimits': median(withIndex),
    'fairness.withoutFairness': median(withoutIndex),
    'fairness.loss': median(losses),
    'fairness.limitNotBinding': limited,
  }
}

/** Pairs of drains (with and without fairness's index) the fairness scenario times. */
const FAIRNESS_ROUNDS = 3

/**
 * Enqueue-to-handler-start latency at an idle worker: one job at a time, each enqueued only once the
 * previous one's completion is committed and the worker has had a moment with nothing to do (its
 * empty claim after a completion would otherwise sit in front of the next job and be counted).
 */
async function latencies(c: Conveyor, samples: number): Promise<number[]> {
  const started = new Map<number, (t: number) => void>()
  let completedCount = 0
  let onCompleted: (() => void) | undefined
  const end = watch(c, (e, _finish, fail) => {
    if (e.status === 'completed') {
      completedCount++
      onCompleted?.()
    } else if (e.status === 'failed') fail(new Error(`job ${e.id} failed`))
  }, () => `${completedCount} of ${samples} completed`)
  await end.ready
  const worker = c.work({ noop: (job) => void started.get((job.payload as { n: number }).n)?.(performance.now()) })
  const out: number[] = []
  try {
    await worker.ready()
    for (let i = 0; i < samples; i++) {
      const start = new Promise<number>((resolve) => started.set(i, resolve))
      const completed = new Promise<void>((resolve) => (onCompleted = () => completedCount > i && resolve()))
      const t0 = performance.now()
      await c.enqueue(noop(i))
      out.push((await Promise.race([start, end.done.then(() => Number.NaN)])) - t0)
      await Promise.race([completed, end.done])
      started.delete(i)
      await sleep(5)
    }
    return out
  } finally {
    end.stop()
    await worker.stop()
  }
}

/**
 * Subscribes to job events until `on` calls finish (or fail). A watchdog fails the wait when no
 * event arrived for 60 s, so a broken run ends with a message instead of hanging.
 */
function watch(
  c: Conveyor,
  on: (e: JobEvent, finish: () => void, fail: (err: Error) => void) => void,
  progress: () => string,
) {
  let finish!: () => void
  let fail!: (err: Error) => void
  const done = new Promise<void>((resolve, reject) => {
    finish = resolve
    fail = reject
  })
  done.catch(() => {}) // observed by the caller; this keeps an early failure from being unhandled
  let lastEvent = performance.now()
  const watchdog = setInterval(() => {
    if (performance.now() - lastEvent > 60_000) fail(new Error(`no job event for 60 s (${progress()})`))
  }, 5_000)
  let off: (() => void) | undefined
  const ready = c
    .subscribe((e) => {
      lastEvent = performance.now()
      on(e, finish, fail)
    })
    .then((unsubscribe) => void (off = unsubscribe))
  return {
    ready,
    done,
    stop() {
      clearInterval(watchdog)
      off?.()
    },
  }
}
