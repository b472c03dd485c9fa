import type { Job, JobEvent, JobStore } from '@conveyor/core'
import type { EventHub } from './event-hub.ts'

export interface ClaimRequest {
  workerId: string
  queues: string[] | null
  types: string[] | null
  limit: number
  leaseMs: number
}

interface Waiter {
  workerId: string
  wants(e: JobEvent): boolean
  wake(): void
  /** Set by end(): the claim answers now, with what it has (nothing), and does not wait again. */
  ended: boolean
}

/**
 * Long-polling claims: a claim that found nothing waits for a `pending` event of a queue and type it
 * takes (from the server's one event subscription), and also retries every `pollMs` (delayed jobs
 * falling due, a lost notification). Every waiter an event concerns is woken; those that lose the
 * race for the job (SKIP LOCKED) simply wait again.
 */
export class ClaimWaiter {
  readonly #waiters = new Set<Waiter>()
  readonly #off: () => void
  #closed = false

  constructor(
    private readonly store: JobStore,
    hub: EventHub,
    private readonly pollMs: number,
  ) {
    this.#off = hub.onEvent((e) => {
      if (e.status !== 'pending') return
      for (const w of this.#waiters) if (w.wants(e)) w.wake()
    })
  }

  /**
   * Claims now and, while nothing is ready, waits up to waitMs for work. If the caller goes away
   * (signal) after jobs were claimed for it, they are handed back at once instead of waiting for
   * their lease to run out.
   */
  async claim(req: ClaimRequest, waitMs: number, signal: AbortSignal): Promise<Job[]> {
    const deadline = Date.now() + waitMs
    for (;;) {
      const jobs = await this.store.claim(req)
      if (jobs.length > 0) {
        if (signal.aborted) {
          await this.store.release(req.workerId, jobs.map((j) => j.id))
          return []
        }
        return jobs
      }
      const left = deadline - Date.now()
      if (left <= 0 || signal.aborted || this.#closed) return []
      const ended = await this.#wait(req, Math.min(left, this.pollMs), signal)
      if (ended || signal.aborted || this.#closed) return []
    }
  }

  /** Resolves true when end() ended this wait. */
  #wait(req: ClaimRequest, ms: number, signal: AbortSignal): Promise<boolean> {
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer)
        signal.removeEventListener('abort', done)
        this.#waiters.delete(waiter)
        resolve(waiter.ended)
      }
      const waiter: Waiter = {
        workerId: req.workerId,
        wants: (e) => (req.queues === null || req.queues.includes(e.queue)) && (req.types === null || req.types.includes(e.type)),
        wake: done,
        ended: false,
      }
      const timer = setTimeout(done, ms)
      signal.addEventListener('abort', done, { once: true })
      this.#waiters.add(waiter)
    })
  }

  /**
   * A worker is stopping: its claims waiting for work answer now, with no jobs; returns how many.
   * Better than the worker hanging up on its claim: a claim that took jobs at that moment had
   * written its answer already, and the jobs stayed running, unrun, until their lease ran out.
   */
  end(workerId: string): number {
    let n = 0
    for (const w of [...this.#waiters]) {
      if (w.workerId !== workerId) continue
      w.ended = true
      w.wake()
      n++
    }
    return n
  }

  /** Claims waiting for work right now. */
  get waiting(): number {
    return this.#waiters.size
  }

  /** Ends every wait (the server is closing): waiting claims answer with no jobs. */
  close(): void {
    this.#closed = true
    this.#off()
    for (const w of [...this.#waiters]) w.wake()
    this.#waiters.clear()
  }
}
