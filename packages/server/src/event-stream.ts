import type { ServerResponse } from 'node:http'
import type { JobEvent } from '@conveyor/core'
import type { Caller } from './auth.ts'
import type { EventHub, EventSink } from './event-hub.ts'

export interface StreamFilter {
  ids?: string[]
  queue?: string
  type?: string
}

/** A slow reader that lets this much pile up unread is dropped (it reconnects and refetches). */
const MAX_BUFFERED = 1024 * 1024

/** The largest delay setTimeout takes (about 24.8 days); a token living longer is rechecked at pings too. */
const MAX_TIMER_MS = 2 ** 31 - 1

/** The message an event becomes on a stream, or undefined when the stream skips it. */
export type StreamMessage = (e: JobEvent) => string | undefined

/** `event: job` with the fields of API.md: what GET /api/events sends. */
export const jobMessage: StreamMessage = (e) => `event: job\ndata: ${JSON.stringify(toWire(e))}\n\n`

/**
 * Opens one Server-Sent Events stream on a hijacked response: a message per event (`event: job` by
 * default, see `message`), only for jobs the caller may see (a user token: its owner's) and matching
 * the filter. Returns a function that ends the stream.
 *
 * A stream lives no longer than its credential: it ends when its user token or dashboard session expires (at that moment,
 * before any later event), and at the next keep-alive after its key is revoked (`recheck`, the
 * request's own authentication, answers 401). Checked once at open, a stream went on for ever. A
 * recheck that fails for another reason (the database is away) keeps the stream: its `resync` follows.
 */
export function openEventStream(
  res: ServerResponse,
  hub: EventHub,
  caller: Caller,
  filter: StreamFilter,
  options: {
    /** Headers already set on the reply (CORS), written with the stream's own. */
    headers?: Record<string, string | number | string[] | undefined>
    /** Whether the stream's credential is still good (false once its key is revoked; true when unsure). */
    recheck?: () => Promise<boolean>
    /** When the credential ends besides a user token's own expiry (a dashboard session's), ms since the epoch. */
    expiresAt?: number
    /** Which of the wanted events the stream sends, and how each is written. Default `jobMessage`. */
    message?: StreamMessage
  } = {},
): () => void {
  const { headers = {}, recheck, message = jobMessage } = options
  const ids = filter.ids && filter.ids.length > 0 ? new Set(filter.ids) : null
  const owner = caller.role === 'user' ? caller.owner : undefined
  const wanted = (e: JobEvent) =>
    (owner === undefined || e.owner === owner) &&
    (ids === null || ids.has(e.id)) &&
    (filter.queue === undefined || e.queue === filter.queue) &&
    (filter.type === undefined || e.type === filter.type)

  res.writeHead(200, {
    ...headers,
    'content-type': 'text/event-stream; charset=utf-8',
    'cache-control': 'no-cache, no-transform',
    connection: 'keep-alive',
    'x-accel-buffering': 'no', // nginx: do not buffer the stream
  })
  // retry: how long EventSource waits before reconnecting; the comment flushes the headers at once.
  res.write('retry: 3000\n: connected\n\n')

  let ended = false
  const expiresAt = Math.min(caller.role === 'user' ? caller.expiresAt.getTime() : Infinity, options.expiresAt ?? Infinity)
  const write = (chunk: string) => {
    if (ended) return
    res.write(chunk)
    if (res.writableLength > MAX_BUFFERED) end()
  }
  const sink: EventSink = {
    deliver(events) {
      let out = ''
      for (const e of events) if (wanted(e)) out += message(e) ?? ''
      if (out) write(out)
    },
    resync: () => write('event: resync\ndata: {}\n\n'),
    ping: () => {
      write(': keep-alive\n\n')
      if (!ended && recheck) void recheck().then((good) => good || end())
    },
  }
  const remove = hub.addSink(sink)
  const expiry = Number.isFinite(expiresAt) ? setTimeout(() => end(), Math.min(MAX_TIMER_MS, Math.max(0, expiresAt - Date.now()))) : undefined
  const end = () => {
    if (ended) return
    ended = true
    clearTimeout(expiry)
    remove()
    res.end()
  }
  res.on('close', end)
  return end
}

/** The event as API.md shows it (cancelRequested is the workers' business). */
function toWire(e: JobEvent) {
  return {
    id: e.id,
    status: e.status,
    queue: e.queue,
    type: e.type,
    owner: e.owner,
    progress: e.progress,
    progressMessage: e.progressMessage,
    updatedAt: e.updatedAt,
  }
}
