import type { SseMessage } from './sse-parser.ts'
import { sleep } from './sleep.ts'
import { failuresAfter, readSse, reconnectDelay } from './sse-stream.ts'
import { SUBSCRIBE_DEFAULTS } from './subscribe.ts'
import type { Transport } from './transport.ts'

export interface WatchCancelsOptions {
  /**
   * Called once if the server refuses the stream (404: a server older than the route; 401, 403: the
   * key), which then stops for good.
   */
  onRefused?(error: unknown): void
  /** First delay before reopening the stream; it doubles per failed attempt up to maxReconnectDelayMs. Default 500 ms. */
  reconnectDelayMs?: number
  /** Default 30000 ms. */
  maxReconnectDelayMs?: number
  /** A stream that sends nothing (the server's keep-alives come every 15 s) for this long is reopened. Default 60000 ms. */
  idleTimeoutMs?: number
}

/** Ends the watch; resolves once its connection and timers are gone. */
export type StopWatching = () => Promise<void>

/** Statuses that mean the server will not give this client the stream, however often it asks. */
const REFUSED = new Set([401, 403, 404])

/**
 * GET /api/workers/cancels: calls `onCancel` with the id of each running job whose cancel is
 * requested, as it happens (an id may come more than once). The stream is reopened with backoff when
 * it ends or fails; cancels requested while it is down are not replayed (a worker's heartbeats bring
 * them).
 */
export function watchCancels(transport: Transport, onCancel: (jobId: string) => void, options: WatchCancelsOptions = {}): StopWatching {
  const first = options.reconnectDelayMs ?? SUBSCRIBE_DEFAULTS.reconnectDelayMs
  const max = options.maxReconnectDelayMs ?? SUBSCRIBE_DEFAULTS.maxReconnectDelayMs
  const idleTimeoutMs = options.idleTimeoutMs ?? SUBSCRIBE_DEFAULTS.idleTimeoutMs
  const stop = new AbortController()

  const onMessage = ({ event, data }: SseMessage) => {
    if (event !== 'cancel') return
    let id: unknown
    try {
      id = (JSON.parse(data) as { id?: unknown }).id
    } catch {
      return // not a message of this protocol: nothing to cancel
    }
    if (typeof id === 'string') onCancel(id)
  }

  const run = async () => {
    const url = transport.url('workerCancels')
    let failures = 0
    while (!stop.signal.aborted) {
      const read = await readSse(transport, url, { signal: stop.signal, idleTimeoutMs, onMessage })
      if (stop.signal.aborted) return
      if (read.outcome === 'unavailable' && read.status !== undefined && REFUSED.has(read.status)) {
        options.onRefused?.(read.error)
        return
      }
      failures = failuresAfter(failures, read)
      await sleep(reconnectDelay(failures, first, max), stop.signal)
    }
  }
  const running = run()

  return () => {
    stop.abort()
    return running
  }
}
