import type { ApiErrorCode } from '@conveyor/contracts'

/**
 * An error answer of the HTTP API (`{ error: { code, message, details } }`), or an answer that was
 * not the API's at all (a proxy's 502 page: code `http_error`). Match on `code`, never on `message`.
 *
 * @example
 *   try { await client.cancel(id) } catch (err) {
 *     if (isConveyorHttpError(err, 'invalid_transition')) showAlreadyFinished()
 *     else throw err
 *   }
 */
export class ConveyorHttpError extends Error {
  override readonly name = 'ConveyorHttpError'
  /** The HTTP status. */
  readonly status: number
  /** A code of the API's error catalogue (ERROR_STATUS in @conveyor/contracts), or `http_error`. */
  readonly code: ApiErrorCode | 'http_error' | (string & {})
  /** For invalid_input: `[{ path, message }]` per bad field; for invalid_transition: `{ status, allowed }`. */
  readonly details?: unknown
  /** From a 429's Retry-After header: how long to wait before trying again. */
  readonly retryAfterMs?: number
  /** The request that failed, as `METHOD /path`. */
  readonly request: string

  constructor(init: { status: number; code: string; message: string; details?: unknown; retryAfterMs?: number; request: string }) {
    super(init.message)
    this.status = init.status
    this.code = init.code
    this.request = init.request
    if (init.details !== undefined) this.details = init.details
    if (init.retryAfterMs !== undefined) this.retryAfterMs = init.retryAfterMs
  }
}

/** True when `err` is a ConveyorHttpError (with this code, when one is given). */
export function isConveyorHttpError(err: unknown, code?: ApiErrorCode | 'http_error'): err is ConveyorHttpError {
  return err instanceof ConveyorHttpError && (code === undefined || err.code === code)
}
