import { z } from 'zod'

/**
 * Every error code the HTTP API answers with, and its status: the one catalogue. The server maps
 * errors through it; clients may switch on `code` (never on message text).
 */
export const ERROR_STATUS = {
  /** The body, query or path failed validation; `details` lists `{ path, message }` per bad field. */
  invalid_input: 400,
  /** No key or token, or one that is unknown, revoked, expired or forged. */
  unauthorized: 401,
  /** The caller's role may not use this route. */
  forbidden: 403,
  /** No such route, key, queue or file. */
  not_found: 404,
  /** No such job, or one the caller may not see (the same answer, on purpose). */
  job_not_found: 404,
  /** No such schedule. */
  schedule_not_found: 404,
  /** No such alert rule. */
  alert_rule_not_found: 404,
  /** A unique name (of a schedule or an alert rule) is taken. */
  already_exists: 409,
  /** The job's state does not allow the operation; `details` has `status` and `allowed`. */
  invalid_transition: 409,
  /** A worker acted on a job whose current attempt it no longer holds (its lease expired or moved on). */
  lease_lost: 409,
  /** The body is larger than the server's bodyLimit; refused before it is parsed. */
  payload_too_large: 413,
  /** An uploaded file is larger than the server's maxFileBytes; refused before more than that is stored. */
  file_too_large: 413,
  /** The body is not JSON. */
  unsupported_media_type: 415,
  /** Too many requests from this key or token; the Retry-After header says when to try again. */
  rate_limited: 429,
  internal_error: 500,
  config_error: 500,
  /** The database could not be reached or failed; try again later. */
  database_error: 503,
  /** The server is shutting down. */
  closed: 503,
  data_dir_locked: 503,
} as const

export type ApiErrorCode = keyof typeof ERROR_STATUS

export const errorDetailSchema = z.object({ path: z.string(), message: z.string() })

export const errorBodySchema = z
  .object({
    error: z.object({
      code: z.string().meta({ description: 'A stable code from the error catalogue (ERROR_STATUS).' }),
      message: z.string(),
      details: z.unknown().optional(),
    }),
  })
  .meta({ id: 'Error' })

export type ErrorBody = z.infer<typeof errorBodySchema>
