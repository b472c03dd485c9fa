import type { Logger } from 'pino'
import type { Db } from '../db/db.ts'
import type { JobStatus } from '../jobs/states.ts'

/** What every state change and progress update publishes. */
export interface JobEvent {
  id: string
  status: JobStatus
  queue: string
  type: string
  owner: string | null
  progress: number
  /** Its first 500 characters (EVENT_MESSAGE_CHARS): an event must fit one NOTIFY; the job has it whole. */
  progressMessage: string | null
  cancelRequested: boolean
  updatedAt: string
}

export type JobEventListener = (event: JobEvent) => void

/**
 * One LISTEN per Conveyor instance, fanned out to any number of subscribers in this process (workers
 * nudging their claim loop, the server's SSE streams). The listening connection is opened on the
 * first subscription and closed with the instance.
 */
export class EventBus {
  readonly #listeners = new Set<JobEventListener>()
  readonly #reconnectListeners = new Set<() => void>()
  #unlisten: Promise<() => Promise<void>> | undefined

  constructor(
    private readonly db: Db,
    readonly channel: string,
    private readonly logger: Logger,
  ) {}

  /** Resolves once LISTEN is in place, so no event published after it returns is missed. */
  async subscribe(listener: JobEventListener): Promise<() => void> {
    this.#listeners.add(listener)
    try {
      await (this.#unlisten ??= this.db.listen(this.channel, (p) => this.#dispatch(p), () => this.#reconnected()))
    } catch (err) {
      this.#listeners.delete(listener)
      this.#unlisten = undefined
      throw err
    }
    return () => {
      this.#listeners.delete(listener)
    }
  }

  /** Called when the listening connection came back: events may have been missed meanwhile. */
  onReconnect(listener: () => void): () => void {
    this.#reconnectListeners.add(listener)
    return () => this.#reconnectListeners.delete(listener)
  }

  #reconnected() {
    for (const l of this.#reconnectListeners) l()
  }

  #dispatch(payload: string) {
    let rows: unknown[][]
    try {
      rows = JSON.parse(payload) as unknown[][]
    } catch (err) {
      this.logger.warn({ err }, 'ignoring an event payload that is not JSON')
      return
    }
    for (const r of rows) {
      const event: JobEvent = {
        id: r[0] as string,
        status: r[1] as JobStatus,
        queue: r[2] as string,
        type: r[3] as string,
        owner: (r[4] as string | null) ?? null,
        progress: r[5] as number,
        progressMessage: (r[6] as string | null) ?? null,
        cancelRequested: r[7] as boolean,
        updatedAt: r[8] as string,
      }
      for (const l of this.#listeners) {
        try {
          l(event)
        } catch (err) {
          this.logger.error({ err }, 'job event listener threw')
        }
      }
    }
  }

  async close(): Promise<void> {
    this.#listeners.clear()
    this.#reconnectListeners.clear()
    const unlisten = this.#unlisten
    this.#unlisten = undefined
    if (unlisten) await (await unlisten.catch(() => async () => {}))()
  }
}
