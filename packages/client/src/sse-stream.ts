import { type SseMessage, SseParser } from './sse-parser.ts'
import type { Transport } from './transport.ts'

/**
 * How one stream ended: `ended` after it was open for `openMs`; `unavailable` when it could not be
 * opened (`status`: the server's answer, when it gave one).
 */
export type SseOutcome = { outcome: 'ended'; openMs: number; error?: unknown } | { outcome: 'unavailable'; error: unknown; status?: number }

/**
 * A stream that ends sooner than this after opening counts as a failed attempt, so the wait before
 * the next one grows: a proxy that accepts the stream and closes it at once had clients reopening
 * it (and re-reading what they watch) twice a second for ever.
 */
export const STABLE_STREAM_MS = 5_000

/** Failed attempts in a row after this one: none after a stream that stayed open a while. */
export function failuresAfter(failures: number, read: SseOutcome): number {
  return read.outcome === 'ended' && read.openMs >= STABLE_STREAM_MS ? 0 : failures + 1
}

/**
 * Opens one Server-Sent Events route over fetch (so it can send the Authorization header, which
 * EventSource cannot) and reads it until the server ends it, the connection fails, `signal` aborts,
 * or it says nothing, not even a keep-alive comment, for `idleTimeoutMs` (a dead connection that
 * never reports itself). The connection and the idle timer are gone when this resolves.
 */
export async function readSse(
  transport: Transport,
  url: string,
  options: {
    signal: AbortSignal
    idleTimeoutMs: number
    /** Called once the stream answered (with that answer, its body not to be read), before its first message. */
    onOpen?(response: Response): void
    onMessage(message: SseMessage): void
  },
): Promise<SseOutcome> {
  const conn = new AbortController()
  const abort = () => conn.abort()
  options.signal.addEventListener('abort', abort)
  if (options.signal.aborted) abort()
  let idle: ReturnType<typeof setTimeout> | undefined
  const touch = () => {
    clearTimeout(idle)
    idle = setTimeout(abort, options.idleTimeoutMs)
  }
  try {
    touch()
    let res: Response
    try {
      res = await transport.fetch(url, { method: 'GET', headers: { accept: 'text/event-stream' }, signal: conn.signal })
    } catch (error) {
      return { outcome: 'unavailable', error }
    }
    if (!res.ok || !res.body || !res.headers.get('content-type')?.includes('text/event-stream')) {
      await res.body?.cancel().catch(() => {})
      return { outcome: 'unavailable', status: res.status, error: new Error(`the event stream answered ${res.status} ${res.statusText}`) }
    }
    const openedAt = Date.now()
    options.onOpen?.(res)
    const parser = new SseParser(options.onMessage)
    const decoder = new TextDecoder()
    const reader = res.body.getReader()
    try {
      for (;;) {
        const { done, value } = await reader.read()
        if (done) return { outcome: 'ended', openMs: Date.now() - openedAt }
        touch()
        parser.push(decoder.decode(value, { stream: true }))
      }
    } catch (error) {
      return { outcome: 'ended', openMs: Date.now() - openedAt, error }
    } finally {
      reader.releaseLock()
    }
  } finally {
    clearTimeout(idle)
    options.signal.removeEventListener('abort', abort)
    conn.abort()
  }
}

/** The wait before reopening a stream: doubling per failed attempt up to `max`, jittered to half to all of it so that the clients one restart cut off do not all come back at once. */
export function reconnectDelay(failures: number, first: number, max: number): number {
  return Math.min(first * 2 ** failures, max) * (0.5 + Math.random() / 2)
}
