import type { Conveyor, JobEvent } from '@conveyor/core'
import type { Logger } from 'pino'

/** A consumer of coalesced events (one SSE stream): it gets each flush's events and filters them itself. */
export interface EventSink {
  /** The events of one window, at most one per job (its latest). */
  deliver(events: readonly JobEvent[]): void
  /** Events may have been lost (the database connection came back): refetch what is shown. */
  resync(): void
  /** A keep-alive tick. */
  ping(): void
}

/**
 * The server's one subscription to the engine's event stream (one LISTEN per server, whatever the
 * number of browsers). Raw listeners (metrics, waiting claims) get every event at once; sinks (event
 * streams) get the latest event per job once per `coalesceMs` window, so a busy queue sends a
 * browser at most one update per job per window.
 */
export class EventHub {
  readonly #raw = new Set<(e: JobEvent) => void>()
  readonly #sinks = new Set<EventSink>()
  readonly #window = new Map<string, JobEvent>()
  #flushTimer: NodeJS.Timeout | undefined
  #keepAlive: NodeJS.Timeout | undefined
  #unsubscribe: (() => void) | undefined
  #offReconnect: (() => void) | undefined

  constructor(
    private readonly conveyor: Conveyor,
    private readonly options: { coalesceMs: number; keepAliveMs: number },
    private readonly logger: Logger,
  ) {}

  /** Subscribes to the engine; resolves once LISTEN is in place. */
  async start(): Promise<void> {
    this.#unsubscribe = await this.conveyor.subscribe((e) => this.#onEvent(e))
    this.#offReconnect = this.conveyor.events.onReconnect(() => {
      for (const s of this.#sinks) s.resync()
    })
  }

  /** Every event, uncoalesced, as it arrives. Returns the unsubscribe function. */
  onEvent(listener: (e: JobEvent) => void): () => void {
    this.#raw.add(listener)
    return () => this.#raw.delete(listener)
  }

  addSink(sink: EventSink): () => void {
    this.#sinks.add(sink)
    this.#keepAlive ??= setInterval(() => {
      for (const s of this.#sinks) s.ping()
    }, this.options.keepAliveMs)
    return () => {
      this.#sinks.delete(sink)
      if (this.#sinks.size === 0 && this.#keepAlive) {
        clearInterval(this.#keepAlive)
        this.#keepAlive = undefined
      }
    }
  }

  get sinkCount(): number {
    return this.#sinks.size
  }

  #onEvent(e: JobEvent) {
    for (const l of this.#raw) {
      try {
        l(e)
      } catch (err) {
        this.logger.error({ err }, 'event listener threw')
      }
    }
    if (this.#sinks.size === 0) return
    if (this.options.coalesceMs === 0) return this.#deliver([e])
    this.#window.set(e.id, e)
    this.#flushTimer ??= setTimeout(() => this.flush(), this.options.coalesceMs)
  }

  /** Delivers the current window now (the timer does this every coalesceMs; tests call it directly). */
  flush(): void {
    if (this.#flushTimer) clearTimeout(this.#flushTimer)
    this.#flushTimer = undefined
    const events = [...this.#window.values()]
    this.#window.clear()
    this.#deliver(events)
  }

  #deliver(events: readonly JobEvent[]) {
    for (const s of this.#sinks) {
      try {
        s.deliver(events)
      } catch (err) {
        this.logger.error({ err }, 'event stream failed')
      }
    }
  }

  /** Unsubscribes and stops timers; sinks are the caller's to end. */
  close(): void {
    this.#unsubscribe?.()
    this.#offReconnect?.()
    if (this.#flushTimer) clearTimeout(this.#flushTimer)
    if (this.#keepAlive) clearInterval(this.#keepAlive)
    this.#flushTimer = this.#keepAlive = undefined
    this.#window.clear()
    this.#raw.clear()
    this.#sinks.clear()
  }
}
