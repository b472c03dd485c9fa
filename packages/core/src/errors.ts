/**
 * Every error Conveyor throws on purpose is a ConveyorError with a stable string `code`.
 * The server maps codes to HTTP statuses in one place (see @conveyor/server); callers match on
 * `code`, never on message text.
 */
export const ErrorCodes = {
  /** Input failed validation; `details` names the field. */
  invalidInput: 'invalid_input',
  /** No such job (or the caller may not see it). */
  jobNotFound: 'job_not_found',
  /** The job's state does not allow the operation (see jobs/states.ts). */
  invalidTransition: 'invalid_transition',
  /** A worker acted on a job whose current attempt it does not hold. */
  leaseLost: 'lease_lost',
  /** Another process holds the embedded data directory. */
  dataDirLocked: 'data_dir_locked',
  /** No such schedule. */
  scheduleNotFound: 'schedule_not_found',
  /** No such alert rule. */
  alertRuleNotFound: 'alert_rule_not_found',
  /** An uploaded or attached file is over the size limit. */
  fileTooLarge: 'file_too_large',
  /** Past a queue's per-owner enqueue limit; details.retryAfterSeconds says when to try again. */
  rateLimited: 'rate_limited',
  /** A unique name is taken (a schedule's name). */
  alreadyExists: 'already_exists',
  /** The database could not be reached or answered with an unexpected error. */
  database: 'database_error',
  /** The Conveyor instance was closed. */
  closed: 'closed',
  /** No handler is registered for a job's type. */
  noHandler: 'no_handler',
  /** A handler ran past its job's timeoutMs. */
  timeout: 'timeout',
  /** A bad setting: flag, environment variable or option. */
  config: 'config_error',
} as const

export type ErrorCode = (typeof ErrorCodes)[keyof typeof ErrorCodes]

export class ConveyorError extends Error {
  readonly code: ErrorCode
  readonly details?: unknown
  constructor(code: ErrorCode, message: string, options: { cause?: unknown; details?: unknown } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause })
    this.name = 'ConveyorError'
    this.code = code
    if (options.details !== undefined) this.details = options.details
  }
}

/**
 * Thrown by a handler to fail the job at once, without further attempts.
 *
 * @example
 *   if (!payload.url) throw new PermanentError('payload.url is required')
 */
export class PermanentError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options)
    this.name = 'PermanentError'
  }
}

/** The error an attempt fails with when its handler runs past the job's timeoutMs. */
export class TimeoutError extends Error {
  constructor(timeoutMs: number) {
    super(`handler did not finish within timeoutMs (${timeoutMs} ms)`)
    this.name = 'TimeoutError'
  }
}

/** The reason a handler's signal fires when its job is cancelled. */
export class CancelledError extends Error {
  constructor() {
    super('job was cancelled')
    this.name = 'CancelledError'
  }
}

/** The reason a handler's signal fires when its worker stops before the handler finished. */
export class ShutdownError extends Error {
  constructor() {
    super('worker is shutting down')
    this.name = 'ShutdownError'
  }
}

/** Plain, JSON-safe description of an error, as stored in a job's lastError and attempt log. */
export interface ErrorInfo {
  message: string
  name: string
  stack?: string
  code?: string
}

/**
 * Never throws: a handler may throw anything (a BigInt, a circular object, an Error whose `message`
 * getter throws), and an attempt whose end cannot be described could not be recorded either — the job
 * would stay running until its lease ran out and the reaper blamed a lost lease.
 */
export function describeError(err: unknown): ErrorInfo {
  try {
    if (err instanceof Error) {
      const info: ErrorInfo = { message: String(err.message), name: String(err.name) }
      if (typeof err.stack === 'string' && err.stack) info.stack = err.stack.slice(0, 8000)
      const code = (err as { code?: unknown }).code
      if (typeof code === 'string') info.code = code
      return info
    }
    if (typeof err === 'string') return { message: err, name: 'Error' }
    let message: string
    try {
      message = JSON.stringify(err) ?? String(err)
    } catch {
      message = String(err) // a BigInt, a circular object
    }
    return { message, name: 'Error' }
  } catch {
    return { message: `a ${kindOf(err)} was thrown that cannot be described (reading or serialising it threw)`, name: 'Error' }
  }
}

function kindOf(value: unknown): string {
  try {
    return value instanceof Error ? 'Error' : typeof value
  } catch {
    return 'value'
  }
}

/** PostgreSQL's unique_violation (23505): a row with that key exists already. */
export function isUniqueViolation(err: unknown): boolean {
  return (err as { code?: unknown } | null)?.code === '23505'
}

/**
 * Translates PostgreSQL errors into ConveyorErrors, in this one place.
 * 23514 check_violation and 22P02 invalid_text_representation come from input that slipped past
 * validation; everything else is a database error.
 */
export function translatePgError(err: unknown): unknown {
  if (err instanceof ConveyorError) return err
  const code = (err as { code?: unknown } | null)?.code
  const message = err instanceof Error ? err.message : String(err)
  // 22021: a NUL in a string (no PostgreSQL text can hold one), e.g. in a list filter.
  if (code === '23514' || code === '22P02' || code === '22003' || code === '22007' || code === '22008' || code === '22021')
    return new ConveyorError(ErrorCodes.invalidInput, message, { cause: err })
  return err
}
