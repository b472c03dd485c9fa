import type { Conveyor } from '@conveyor/core'
import { ConveyorError, ErrorCodes, FILE_DEFAULTS } from '@conveyor/core'
import type { Logger } from 'pino'
import { z } from 'zod'

/** A token bucket: `perSecond` sustained, bursts of up to `burst`. */
export interface RateLimit {
  perSecond: number
  burst: number
}

/**
 * Everything the server needs, parsed once by buildApp (flags and environment are the CLI's job).
 *
 * @example
 *   const conveyor = await Conveyor.open()
 *   const { url, close, firstAdminKey } = await startServer({ conveyor, port: 3000, adminKey: process.env.CONVEYOR_ADMIN_KEY })
 */
export interface ServerConfig {
  /** An open Conveyor; the server never closes it. */
  conveyor: Conveyor
  /** Default 127.0.0.1. */
  host?: string
  /** Default 3000; 0 picks a free port. */
  port?: number
  /** Largest request body in bytes, refused with 413 before it is parsed. Default 1 MiB. */
  bodyLimit?: number
  /** Largest uploaded file (POST /api/files) in bytes, refused with 413 before more is stored. Default 50 MiB. */
  maxFileBytes?: number
  /** CONVEYOR_ADMIN_KEY: accepted as an admin key (compared by hash, never stored). At least 16 characters. */
  adminKey?: string
  /** HMAC key of user tokens (at least 32 characters). Default: a secret generated once and kept in the database, shared by every server. */
  tokenSecret?: string
  /** Enqueue rate limits per API key and per user token; false: unlimited. Defaults: keys unlimited, tokens 10/s bursts of 50. */
  rateLimit?: { key?: RateLimit | false; token?: RateLimit | false }
  /** Live events: the coalescing window (default 100 ms) and the keep-alive interval (default 15 s). */
  events?: { coalesceMs?: number; keepAliveMs?: number }
  /** How long a verified API key is trusted before it is looked up again (revocation delay on other servers). Default 5000 ms. */
  keyCacheMs?: number
  /** A claim waiting for work also retries this often (delayed jobs, missed notifications). Default 1000 ms. */
  claimPollMs?: number
  /** Origins whose pages may call the API directly (CORS), e.g. ["https://app.example.com"], or ["*"]. Default: none (same origin only). */
  corsOrigins?: string[]
  /** Trust X-Forwarded-* headers (behind a reverse proxy). Default false. */
  trustProxy?: boolean
  /** Log every request (at info). Default false: only errors are logged. */
  logRequests?: boolean
  /** Default: the Conveyor's logger. */
  logger?: Logger
  /** Level of the server's logger when no logger is given. Default: the Conveyor logger's level. */
  logLevel?: string
}

const rateLimit = z.union([
  z.literal(false),
  z.strictObject({ perSecond: z.number().positive().max(1e6), burst: z.number().int().min(1).max(1e6) }),
])

const configSchema = z.strictObject({
  host: z.string().min(1).default('127.0.0.1'),
  port: z.number().int().min(0).max(65535).default(3000),
  bodyLimit: z
    .number()
    .int()
    .min(1024)
    .max(1024 ** 3)
    .default(1024 * 1024),
  maxFileBytes: z
    .number()
    .int()
    .min(1)
    .max(1024 ** 4)
    .default(FILE_DEFAULTS.maxBytes),
  adminKey: z.string().min(16, 'CONVEYOR_ADMIN_KEY must be at least 16 characters; generate one with: openssl rand -base64 32').optional(),
  tokenSecret: z.string().min(32, 'the token secret must be at least 32 characters; generate one with: openssl rand -base64 48').optional(),
  rateLimit: z
    .strictObject({ key: rateLimit.default(false), token: rateLimit.default({ perSecond: 10, burst: 50 }) })
    .default({ key: false, token: { perSecond: 10, burst: 50 } }),
  events: z
    .strictObject({ coalesceMs: z.number().int().min(0).max(10_000).default(100), keepAliveMs: z.number().int().min(10).max(600_000).default(15_000) })
    .default({ coalesceMs: 100, keepAliveMs: 15_000 }),
  keyCacheMs: z.number().int().min(0).max(600_000).default(5000),
  claimPollMs: z.number().int().min(10).max(60_000).default(1000),
  corsOrigins: z
    .array(z.union([z.literal('*'), z.url({ protocol: /^https?$/ }).regex(/^https?:\/\/[^/]+$/, 'an origin: scheme://host[:port], no path')]))
    .default([]),
  trustProxy: z.boolean().default(false),
  logRequests: z.boolean().default(false),
  logLevel: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).optional(),
})

export type ParsedConfig = z.output<typeof configSchema> & { conveyor: Conveyor; logger: Logger }

/** Parses the settings once; a bad one says how to fix it (config_error). */
export function parseConfig(config: ServerConfig): ParsedConfig {
  const { conveyor, logger, ...plain } = config
  if (!conveyor) throw new ConveyorError(ErrorCodes.config, 'the server needs an open Conveyor: buildApp({ conveyor })')
  const result = configSchema.safeParse(plain)
  if (!result.success) {
    const issue = result.error.issues[0]
    throw new ConveyorError(ErrorCodes.config, `invalid server setting ${issue?.path.join('.')}: ${issue?.message}`, {
      details: result.error.issues,
    })
  }
  const base = logger ?? conveyor.logger
  const log = base.child(
    { component: 'server' },
    { ...(result.data.logLevel ? { level: result.data.logLevel } : {}), serializers: { req: requestForLog } },
  )
  return { ...result.data, conveyor, logger: log }
}

/** A request as logged: never the credential that GET /api/events accepts as `?token=`. */
function requestForLog(req: { method?: string; url?: string; host?: string; ip?: string }) {
  return { method: req.method, url: req.url?.replace(/([?&]token=)[^&]*/g, '$1[redacted]'), host: req.host, remoteAddress: req.ip }
}
