import type { JobStore } from '@conveyor/core'
import type { Logger } from 'pino'

/** How often an HTTP worker's row in the workers table is refreshed (GET /api/workers shows workers seen within 60 s). */
const REFRESH_MS = 10_000
const FORGET_MS = 120_000

interface Known {
  queues: string[] | null
  types: string[] | null
  concurrency: number
  writtenAt: number
}

/**
 * Keeps HTTP workers listed in the workers table, as in-process workers list themselves: a claim
 * registers the worker (its queues and types), heartbeats keep it fresh. Writes are throttled to one
 * per worker per REFRESH_MS, off the request's path.
 */
export class WorkerRegistry {
  readonly #known = new Map<string, Known>()

  constructor(
    private readonly store: JobStore,
    private readonly logger: Logger,
  ) {}

  claimed(id: string, w: { queues: string[] | null; types: string[] | null; limit: number }): void {
    const prev = this.#known.get(id)
    const same = prev && prev.concurrency === w.limit && sameList(prev.queues, w.queues) && sameList(prev.types, w.types)
    const k: Known = { queues: w.queues, types: w.types, concurrency: w.limit, writtenAt: same ? prev.writtenAt : 0 }
    this.#known.set(id, k)
    this.#refresh(id, k)
  }

  /** A heartbeat or other call of a worker: keep it listed. */
  seen(id: string): void {
    const k = this.#known.get(id)
    if (k) this.#refresh(id, k)
  }

  #refresh(id: string, k: Known) {
    const now = Date.now()
    if (now - k.writtenAt < REFRESH_MS) return
    k.writtenAt = now
    this.store
      .registerWorker({ id, queues: k.queues, types: k.types, concurrency: k.concurrency, running: 0 })
      .catch((err) => this.logger.warn({ err, workerId: id }, 'could not register HTTP worker'))
    if (this.#known.size > 1000) for (const [wid, w] of this.#known) if (now - w.writtenAt > FORGET_MS) this.#known.delete(wid)
  }
}

function sameList(a: string[] | null, b: string[] | null): boolean {
  return a === b || (a !== null && b !== null && a.length === b.length && a.every((x, i) => x === b[i]))
}
