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

/**
 * Opens one Server-Sent Events stream on a hijacked response: `event: job` messages with the fields
 * of API.md, only for jobs the caller may see (a user token: its owner's) and matching the filter.
 * Returns a function that ends the stream.
 */
export function openEventStream(
  res: ServerResponse,
  hub: EventHub,
  caller: Caller,
  filter: StreamFilter,
  /** Headers already set on the reply (CORS), written with the stream's own. */
  headers: Record<string, string | number | string[] | undefined> = {},
): () => void {
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
  const write = (chunk: string) => {
    if (ended) return
    res.write(chunk)
    if (res.writableLength > MAX_BUFFERED) end()
  }
  const sink: EventSink = {
    deliver(events) {
      let out = ''
      for (const e of events) if (wanted(e)) out += `event: job\ndata: ${JSON.stringify(toWire(e))}\n\n`
      if (out) write(out)
    },
    resync: () => write('event: resync\ndata: {}\n\n'),
    ping: () => write(': keep-alive\n\n'),
  }
  const remove = hub.addSink(sink)
  const end = () => {
    if (ended) return
    ended = true
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
