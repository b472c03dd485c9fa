/**
 * Thrown by a handler to fail the job at once, without further attempts. Any error named
 * `PermanentError` does the same (core's PermanentError included), so handlers written for the
 * in-process worker behave alike over HTTP.
 *
 * @example
 *   if (!job.payload.url) throw new PermanentError('payload.url is required')
 */
export class PermanentError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options)
    this.name = 'PermanentError'
  }
}

/** The reason a handler's signal fires when its job is cancelled. */
export class CancelledError extends Error {
  constructor() {
    super('job was cancelled')
    this.name = 'CancelledError'
  }
}

/** The reason a handler's signal fires when it runs past its job's timeoutMs. */
export class TimeoutError extends Error {
  constructor(timeoutMs: number) {
    super(`handler did not finish within timeoutMs (${timeoutMs} ms)`)
    this.name = 'TimeoutError'
  }
}

/** The reason a handler's signal fires when its worker stops before the handler finished. */
export class ShutdownError extends Error {
  constructor() {
    super('worker is shutting down')
    this.name = 'ShutdownError'
  }
}

/** The reason a handler's signal fires when the server says this worker no longer holds the job. */
export class LeaseLostError extends Error {
  constructor() {
    super('this worker no longer holds the job: its lease expired and the job was taken over')
    this.name = 'LeaseLostError'
  }
}
