import type { Logger } from 'pino'

export interface Service {
  runOnce(): Promise<unknown>
}

/**
 * Runs background services on their intervals, one pass at a time each (a slow pass is never
 * overlapped by the next). stop() waits for passes in flight.
 */
export class Maintenance {
  readonly #timers = new Map<string, NodeJS.Timeout>()
  #inFlight = new Set<Promise<unknown>>()
  #stopped = false

  constructor(
    private readonly services: { name: string; service: Service; intervalMs: number }[],
    private readonly logger: Logger,
  ) {}

  start(): void {
    for (const s of this.services) this.#schedule(s, 0)
  }

  #schedule(s: { name: string; service: Service; intervalMs: number }, delay: number) {
    if (this.#stopped) return
    const t = setTimeout(() => {
      const run = s.service
        .runOnce()
        .catch((err) => this.logger.warn({ err, service: s.name }, 'maintenance pass failed; will try again'))
        .finally(() => {
          this.#inFlight.delete(run)
          this.#schedule(s, s.intervalMs)
        })
      this.#inFlight.add(run)
    }, delay)
    t.unref()
    this.#timers.set(s.name, t)
  }

  async stop(): Promise<void> {
    this.#stopped = true
    for (const t of this.#timers.values()) clearTimeout(t)
    await Promise.all(this.#inFlight)
  }
}
