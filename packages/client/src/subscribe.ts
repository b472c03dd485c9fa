import type { Job, JobEvent, JobStatus } from '@conveyor/contracts'
import { isConveyorHttpError } from './http-error.ts'
import { sleep } from './sleep.ts'
import { failuresAfter, readSse, reconnectDelay, type SseOutcome } from './sse-stream.ts'
import type { Transport } from './transport.ts'

/** Which jobs' events to receive. With a user token, only that owner's jobs ever arrive. */
export interface EventFilter {
  /**
   * These jobs only, at most 250 (LIMITS.eventIds: they travel in the stream's URL; with more, the
   * stream is refused with 400 and the subscription polls). Their current state is delivered first,
   * then every change. Empty: no id filter.
   */
  ids?: readonly string[]
  queue?: string
  type?: string
}

/**
 * `connecting`: opening the stream; `open`: streaming; `polling`: the stream can't be opened, polling
 * meanwhile. From `open` or `polling` on, every change is delivered.
 */
export type SubscriptionState = 'connecting' | 'open' | 'polling' | 'closed'

export interface SubscribeOptions {
  /** Called on every state change, with the error that caused it when there was one. */
  onStateChange?(state: SubscriptionState, error?: unknown): void
  /** Called with errors that do not end the subscription (a failed poll, a throwing onEvent). */
  onError?(error: unknown): void
  /** With `ids`: called when one of the jobs no longer exists (deleted, or never visible to the caller). */
  onGone?(id: string): void
  /** `auto` (default): the event stream, polling while it can't be opened; `poll`: never open a stream. */
  mode?: 'auto' | 'poll'
  /** Time between two polls while polling. Default 2000 ms. */
  pollIntervalMs?: number
  /** First delay before reopening a stream; it doubles per failed attempt up to maxReconnectDelayMs. Default 500 ms. */
  reconnectDelayMs?: number
  /** Default 30000 ms. */
  maxReconnectDelayMs?: number
  /**
   * A stream that sends nothing (not even a keep-alive comment) for this long is taken for dead and
   * reopened. Default 60000 ms.
   */
  idleTimeoutMs?: number
}

export type Unsubscribe = () => void

/** What the subscription needs of the client besides the raw transport. */
export interface SubscriptionSource {
  transport: Transport
  getJob(id: string, options?: { signal?: AbortSignal }): Promise<{ job: Job }>
  listJobs(
    query: { queue?: string; type?: string; status?: JobStatus[]; sort?: 'newest' | 'queue'; limit?: number },
    options?: { signal?: AbortSignal },
  ): Promise<{ jobs: Job[] }>
}

export const SUBSCRIBE_DEFAULTS = {
  pollIntervalMs: 2000,
  reconnectDelayMs: 500,
  maxReconnectDelayMs: 30_000,
  idleTimeoutMs: 60_000,
} as const

/** The Date header has whole seconds, and the database's clock may differ from the server's a little. */
const CLOCK_MARGIN_MS = 2000
/** A polled page is at most this long; jobs that changed beyond it are seen by the stream only. */
const POLL_PAGE = 100
/** Jobs remembered for de-duplication; the oldest are forgotten first. */
const SEEN_MAX = 10_000
/** getJob calls in flight at once when polling a list of ids. */
const POLL_CONCURRENCY = 8

/** The part of a job that an event reports. */
export function toJobEvent(job: Job): JobEvent {
  return {
    id: job.id,
    status: job.status,
    queue: job.queue,
    type: job.type,
    owner: job.owner,
    progress: job.progress,
    progressMessage: job.progressMessage,
    updatedAt: job.updatedAt,
  }
}

function fingerprint(e: JobEvent): string {
  return `${e.status}|${e.progress}|${e.progressMessage ?? ''}|${Date.parse(e.updatedAt)}`
}

/**
 * Live job events: Server-Sent Events read over fetch (so it runs in Node and browsers and can send
 * the Authorization header, which EventSource cannot), reopened with backoff when the stream ends,
 * and polled while it can't be opened. Events are de-duplicated: the same state of a job is
 * delivered once even when a poll and the stream both report it.
 */
export function subscribe(
  source: SubscriptionSource,
  filter: EventFilter,
  onEvent: (event: JobEvent) => void,
  options: SubscribeOptions = {},
): Unsubscribe {
  const o = { ...SUBSCRIBE_DEFAULTS, ...definedOnly(options) }
  const ids = filter.ids && filter.ids.length > 0 ? [...new Set(filter.ids)] : undefined
  const idSet = ids ? new Set(ids) : undefined
  /** Per job: the state last delivered (or seeded), and its updatedAt in ms. */
  const seen = new Map<string, { print: string; at: number }>()
  /** The newest updatedAt (ms, server clock) seen: a polled job changed after it is news. */
  let highWater: number | undefined
  let closed = false
  let state: SubscriptionState | undefined
  /** A stream was open (or polling ran) before: the next stream to open must catch up. */
  let catchUp = false
  let lastError: unknown
  const stop = new AbortController()

  const safe = (fn: () => void) => {
    try {
      fn()
    } catch (err) {
      try {
        o.onError?.(err)
      } catch {
        // A throwing onError must not end the subscription either.
      }
    }
  }
  const setState = (next: SubscriptionState, error?: unknown) => {
    if (state === next) return
    state = next
    safe(() => o.onStateChange?.(next, error))
  }

  /**
   * Delivers an event unless this state of the job was delivered already or is older than one that
   * was (a poll's answer can arrive after the stream's newer event). `news: false`: news only if it is
   * a job seen before or changed after `since` (the newest change seen before this poll round).
   */
  const deliver = (e: JobEvent, news: boolean, since = highWater) => {
    // Nothing after unsubscribe(), even from the rest of a chunk being parsed or a poll in flight.
    if (closed || (idSet && !idSet.has(e.id))) return
    const at = Date.parse(e.updatedAt)
    const known = seen.get(e.id)
    const print = fingerprint(e)
    if (known && (known.print === print || at < known.at)) return
    seen.delete(e.id)
    seen.set(e.id, { print, at })
    if (seen.size > SEEN_MAX) seen.delete(seen.keys().next().value!)
    const isNews = news || known !== undefined || (since !== undefined && at > since)
    if (!Number.isNaN(at)) highWater = Math.max(highWater ?? at, at)
    if (isNews) safe(() => onEvent(e))
  }

  /** One round of polling: each id's job, or the newest and the active jobs of the queue / type. */
  const poll = async () => {
    if (ids) {
      let next = 0
      const worker = async () => {
        while (next < ids.length && !closed) {
          const id = ids[next++]!
          try {
            deliver(toJobEvent((await source.getJob(id, { signal: stop.signal })).job), true)
          } catch (err) {
            if (isConveyorHttpError(err, 'job_not_found')) safe(() => o.onGone?.(id))
            else throw err
          }
        }
      }
      await Promise.all(Array.from({ length: Math.min(POLL_CONCURRENCY, ids.length) }, worker))
      return
    }
    const scope = { ...(filter.queue ? { queue: filter.queue } : {}), ...(filter.type ? { type: filter.type } : {}) }
    const [newest, active] = await Promise.all([
      source.listJobs({ ...scope, sort: 'newest', limit: POLL_PAGE }, { signal: stop.signal }),
      source.listJobs({ ...scope, status: ['pending', 'running'], sort: 'queue', limit: POLL_PAGE }, { signal: stop.signal }),
    ])
    // A job not seen before is news only if it changed after the newest change seen so far: the first
    // round records what exists without reporting it (an event stream does not replay the past either).
    // Judged against the high-water mark from before this round: a job of the round must not make the
    // next one look news (the first round reported every job that changed after the first it read).
    const since = highWater
    for (const job of [...newest.jobs, ...active.jobs]) deliver(toJobEvent(job), false, since)
    // Nothing there yet: whatever shows up later is news.
    highWater ??= Number.NEGATIVE_INFINITY
  }

  const pollSafely = async () => {
    try {
      await poll()
    } catch (err) {
      if (!closed) safe(() => o.onError?.(err))
    }
  }

  /** Opens the stream and reads it until it ends. 'unavailable': it could not be opened. */
  const openAndRead = async (): Promise<SseOutcome> => {
    const query = { ...(ids ? { ids } : {}), ...(filter.queue ? { queue: filter.queue } : {}), ...(filter.type ? { type: filter.type } : {}) }
    const read = await readSse(source.transport, source.transport.url('events', {}, query), {
      signal: stop.signal,
      idleTimeoutMs: o.idleTimeoutMs,
      onOpen(res) {
        setState('open')
        // A later catch-up tells what changed while no stream was open by the newest change seen: a
        // subscription that had seen no event took everything it polled then for old. So the first
        // stream starts the mark at the server's time (less a margin for the database's clock), or,
        // where the Date header can't be read (a browser, another origin), by a round that records
        // what exists.
        let baseline = false
        if (highWater === undefined) {
          const now = Date.parse(res.headers.get('date') ?? '')
          if (Number.isFinite(now)) highWater = now - CLOCK_MARGIN_MS
          else baseline = !ids
        }
        // Changes made while no stream was open were not sent: catch up on them once the new one is open.
        if (ids || catchUp || baseline) void pollSafely()
        catchUp = true
      },
      onMessage(m) {
        // The server's own event feed was interrupted (its database connection came back): catch up.
        if (m.event === 'resync') return void pollSafely()
        if (m.event !== 'job') return
        let e: JobEvent
        try {
          e = JSON.parse(m.data) as JobEvent
        } catch (err) {
          return safe(() => o.onError?.(err))
        }
        deliver(e, true)
      },
    })
    if (read.error !== undefined && !closed) lastError = read.error
    return read
  }

  const run = async () => {
    // 'polling' is announced after the first round: from then on, every change is delivered (the round
    // before only records what exists, as a stream that just opened does not replay the past either).
    if (o.mode === 'poll') {
      while (!closed) {
        await pollSafely()
        setState('polling')
        await sleep(o.pollIntervalMs, stop.signal)
      }
      return
    }
    let failures = 0
    while (!closed) {
      setState('connecting', lastError)
      const read = await openAndRead()
      if (closed) break
      failures = failuresAfter(failures, read)
      const delay = reconnectDelay(failures, o.reconnectDelayMs, o.maxReconnectDelayMs)
      if (read.outcome === 'ended') {
        await sleep(delay, stop.signal)
        continue
      }
      const until = Date.now() + delay
      do {
        await pollSafely()
        setState('polling', lastError)
        await sleep(Math.min(o.pollIntervalMs, Math.max(0, until - Date.now())), stop.signal)
      } while (!closed && Date.now() < until)
      // The next stream that opens must catch up on what polling may have missed.
      catchUp = true
    }
  }

  void run().finally(() => setState('closed'))

  return () => {
    if (closed) return
    closed = true
    stop.abort()
  }
}

function definedOnly<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>
}
