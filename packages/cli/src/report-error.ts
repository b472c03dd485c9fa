import { ConveyorError, ErrorCodes } from '@conveyor/core'
import { CommanderError } from 'commander'
import { err } from './terminal.ts'
import { UsageError } from './usage-error.ts'

/** Exit statuses: 0 done, 1 the operation failed, 2 the command was called wrongly. */
export const EXIT = { ok: 0, failed: 1, usage: 2 } as const

/** ConveyorError codes that mean the input on the command line was wrong. */
const USAGE_CODES = new Set<string>([ErrorCodes.invalidInput, ErrorCodes.config])

/** Errors that mean the database named by the settings could not be used as given. */
const CONNECTION_CODES = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'ETIMEDOUT', 'EHOSTUNREACH', '3D000', '28000', '28P01'])

/** Prints an error the way a user can act on it and returns the exit status. */
export function reportError(error: unknown): number {
  if (error instanceof CommanderError) {
    // commander has printed its message (and our hint) already; --help and --version end with 0.
    return error.exitCode === 0 ? EXIT.ok : EXIT.usage
  }
  if (error instanceof UsageError) {
    err(`error: ${error.message}`)
    return EXIT.usage
  }
  // The engine's ConveyorError, the client's ConveyorHttpError, the CLI's CliError and Node's system
  // errors all carry a stable string code.
  const code = (error as { code?: unknown } | null)?.code
  const message = error instanceof Error ? error.message : String(error)
  err(typeof code === 'string' ? `error (${code}): ${message}` : `error: ${message}`)
  if (typeof code !== 'string') return EXIT.failed
  if (CONNECTION_CODES.has(code) && !(error instanceof ConveyorError))
    err('the PostgreSQL server could not be used: check --database-url (or DATABASE_URL), or leave it unset for the embedded database')
  if (code === 'EADDRINUSE') err('another program listens on that port: pass --port (or set PORT) to another one, or --port 0 for any free port')
  return USAGE_CODES.has(code) ? EXIT.usage : EXIT.failed
}
