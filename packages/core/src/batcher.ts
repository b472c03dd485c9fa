/**
 * Group commit: calls made while a flush is in flight are collected and written by the next flush,
 * in one statement. A flush starts at the end of the current event-loop turn (setImmediate), which
 * gathers every call made in that turn at a cost of microseconds to a lone call; under load, N
 * concurrent calls cost one round trip instead of N. Flushing on the next microtask instead caught
 * only the callers ahead in the microtask queue: 17 jobs per INSERT with 32 enqueues in flight, and
 * 2,600 → 6,000–12,700 jobs/s on PostgreSQL with 32 (`npm run bench`, enqueue 32 in flight).
 */
export class Batcher<I, O> {
  #queue: { item: I; resolve: (o: O) => void; reject: (e: unknown) => void }[] = []
  #inFlight = 0
  #scheduled = false
  #idle: (() => void)[] = []

  constructor(
    private readonly run: (items: I[]) => Promise<O[]>,
    private readonly options: { maxBatch?: number; concurrency?: number } = {},
  ) {}

  add(item: I): Promise<O> {
    return new Promise<O>((resolve, reject) => {
      this.#queue.push({ item, resolve, reject })
      this.#schedule()
    })
  }

  get pending(): number {
    return this.#queue.length + this.#inFlight
  }

  /** Resolves when everything added so far has been written (or failed). */
  drain(): Promise<void> {
    if (this.#queue.length === 0 && this.#inFlight === 0) return Promise.resolve()
    return new Promise((resolve) => this.#idle.push(resolve))
  }

  #schedule() {
    if (this.#scheduled || this.#inFlight >= (this.options.concurrency ?? 1)) return
    this.#scheduled = true
    setImmediate(() => {
      this.#scheduled = false
      void this.#flush()
    })
  }

  async #flush() {
    if (this.#queue.length === 0) return this.#notifyIdle()
    const batch = this.#queue.splice(0, this.options.maxBatch ?? 1000)
    this.#inFlight++
    try {
      const results = await this.run(batch.map((b) => b.item))
      batch.forEach((b, i) => b.resolve(results[i] as O))
    } catch (err) {
      for (const b of batch) b.reject(err)
    } finally {
      this.#inFlight--
      if (this.#queue.length > 0) this.#schedule()
      else this.#notifyIdle()
    }
  }

  #notifyIdle() {
    if (this.#queue.length > 0 || this.#inFlight > 0) return
    const waiters = this.#idle.splice(0)
    for (const w of waiters) w()
  }
}
