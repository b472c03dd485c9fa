// The part of autocannon 8's API the benchmark uses (the package ships no types).
declare module 'autocannon' {
  import type { EventEmitter } from 'node:events'

  export interface Request {
    method?: string
    path?: string
    headers?: Record<string, string>
    body?: string
  }

  export interface Options extends Request {
    url: string
    connections?: number
    /** Seconds. */
    duration?: number
    /** Seconds to wait for an answer. */
    timeout?: number
    /** Walked in order by every connection, then again from the first. */
    requests?: Request[]
  }

  export interface Result {
    /** Seconds the run took. */
    duration: number
    errors: number
    timeouts: number
    non2xx: number
    '2xx': number
    statusCodeStats: Record<string, { count: number }>
  }

  export interface Instance extends EventEmitter, PromiseLike<Result> {
    /** `responseTime` in milliseconds (fractional, from process.hrtime). */
    on(event: 'response', listener: (client: unknown, statusCode: number, resBytes: number, responseTime: number) => void): this
    stop(): void
  }

  export default function autocannon(options: Options): Instance
}
