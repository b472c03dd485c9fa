import { STATUS_CODES } from 'node:http'
import type { Socket } from 'node:net'
import { type ApiErrorCode, ERROR_STATUS, type ErrorBody } from '@conveyor/contracts'
import { ConveyorError } from '@conveyor/core'
import type { z } from 'zod'

/** An error the server answers with: a code of the catalogue (contracts' ERROR_STATUS), a message, details. */
export class HttpError extends Error {
  readonly status: number
  constructor(
    readonly code: ApiErrorCode,
    message: string,
    readonly details?: unknown,
    /** Extra response headers, e.g. Retry-After. */
    readonly headers: Record<string, string> = {},
  ) {
    super(message)
    this.name = 'HttpError'
    this.status = ERROR_STATUS[code]
  }
}

/** Fastify's own errors (raised before a handler runs), by their code. */
const FASTIFY_CODES: Record<string, { code: ApiErrorCode; message?: string }> = {
  FST_ERR_CTP_BODY_TOO_LARGE: { code: 'payload_too_large' },
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: { code: 'invalid_input' },
  FST_ERR_CTP_INVALID_MEDIA_TYPE: { code: 'unsupported_media_type', message: 'send the body as application/json' },
  FST_ERR_CTP_EMPTY_JSON_BODY: { code: 'invalid_input', message: 'the body is empty but its content-type is application/json' },
  FST_ERR_CTP_INVALID_JSON_BODY: { code: 'invalid_input' },
}

const BY_STATUS: Record<number, ApiErrorCode> = {
  400: 'invalid_input',
  401: 'unauthorized',
  403: 'forbidden',
  404: 'not_found',
  413: 'payload_too_large',
  415: 'unsupported_media_type',
  429: 'rate_limited',
}

/** PostgreSQL / network failures that mean "the database is not answering" rather than a bug. */
function isDatabaseUnavailable(err: { code?: unknown; message?: unknown }): boolean {
  const code = typeof err.code === 'string' ? err.code : ''
  return code.startsWith('ECONN') || code === 'ETIMEDOUT' || code === 'ENOTFOUND' || code.startsWith('08') || code === '57P01'
}

/**
 * Maps anything thrown while serving a request to a status, headers and the API's error body, in this
 * one place. `internal` is true for errors that are bugs (logged with their stack; the caller sees a
 * generic message).
 */
export function toErrorResponse(err: unknown): { status: number; headers: Record<string, string>; body: ErrorBody; internal: boolean } {
  const answer = (code: ApiErrorCode, message: string, details?: unknown, headers: Record<string, string> = {}, internal = false) => ({
    status: ERROR_STATUS[code],
    headers,
    body: { error: details === undefined ? { code, message } : { code, message, details } },
    internal,
  })
  if (err instanceof HttpError) return answer(err.code, err.message, err.details, err.headers)
  if (err instanceof ConveyorError) {
    const code = err.code as string
    // The engine's rate_limited (a queue's per-owner enqueue limit) says when to try again.
    const retry = (err.details as { retryAfterSeconds?: unknown } | undefined)?.retryAfterSeconds
    const headers: Record<string, string> = code === 'rate_limited' && typeof retry === 'number' ? { 'retry-after': String(retry) } : {}
    if (code in ERROR_STATUS) return answer(code as ApiErrorCode, err.message, err.details, headers, ERROR_STATUS[code as ApiErrorCode] >= 500)
    return answer('internal_error', 'internal error', undefined, {}, true)
  }
  const e = (err ?? {}) as { code?: unknown; statusCode?: unknown; message?: unknown }
  const known = typeof e.code === 'string' ? FASTIFY_CODES[e.code] : undefined
  if (known) return answer(known.code, known.message ?? String(e.message ?? known.code))
  if (typeof e.statusCode === 'number' && e.statusCode >= 400 && e.statusCode < 500) {
    const code = BY_STATUS[e.statusCode] ?? 'invalid_input'
    return answer(code, String(e.message ?? code))
  }
  if (isDatabaseUnavailable(e)) return answer('database_error', 'the database is not answering; try again later', undefined, {}, true)
  // PostgreSQL's data exceptions (SQLSTATE class 22: a NUL in a string, a date out of its range, …)
  // come from values the request carried, wherever a route passes one on unchecked.
  if (typeof e.code === 'string' && /^22[0-9A-Z]{3}$/.test(e.code)) return answer('invalid_input', String(e.message))
  return answer('internal_error', 'internal error', undefined, {}, true)
}

/**
 * Answers a request Node's HTTP parser refused before Fastify saw it (malformed request line or
 * headers, a conflicting Content-Length, headers over 16 KB) in the API's error shape, then closes
 * the connection, as Fastify's default handler does in its own shape.
 */
export function clientErrorHandler(err: NodeJS.ErrnoException, socket: Socket): void {
  if (err.code === 'ECONNRESET' || socket.destroyed) return
  const [status, message] =
    err.code === 'HPE_HEADER_OVERFLOW'
      ? [431, 'the request line and headers are over the 16 KB allowed']
      : err.code === 'ERR_HTTP_REQUEST_TIMEOUT'
        ? [408, 'the request did not arrive in time']
        : [400, `malformed HTTP request (${err.code ?? 'client error'})`]
  const body = JSON.stringify({ error: { code: 'invalid_input', message } })
  if (socket.writable)
    socket.write(
      `HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\nContent-Length: ${Buffer.byteLength(body)}\r\nContent-Type: application/json\r\nConnection: close\r\n\r\n${body}`,
    )
  socket.destroy(err)
}

/**
 * Parses a request part with its contract schema; a failure is invalid_input naming each bad field,
 * e.g. `invalid body: jobs.0.type: Invalid input: expected string, received undefined`.
 */
export function parseRequestPart<S extends z.ZodType>(schema: S, value: unknown, part: 'body' | 'query' | 'path'): z.output<S> {
  const result = schema.safeParse(value)
  if (result.success) return result.data
  const issues = result.error.issues.flatMap((i) => {
    // Query parameters are flat: `status.1` is the parameter `status`.
    const at = part === 'query' ? i.path.slice(0, 1).map(String) : i.path.map(String)
    // An unknown field is named by its own path, like any other bad field.
    if (i.code === 'unrecognized_keys') return i.keys.map((k) => ({ in: part, path: [...at, k].join('.'), message: 'unknown field' }))
    return [{ in: part, path: at.join('.'), message: i.message }]
  })
  const first = issues[0]
  const where = first?.path ? `${first.path}: ` : ''
  throw new HttpError('invalid_input', `invalid ${part}: ${where}${first?.message ?? 'bad input'}`, issues)
}
