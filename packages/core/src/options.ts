import { z } from 'zod'
import type { Logger } from 'pino'
import type { Db } from './db/db.ts'
import { ConveyorError, ErrorCodes } from './errors.ts'
import { MEMORY } from './db/pglite-adapter.ts'
import type { Retention } from './maintenance/cleaner.ts'

export interface ConveyorOptions {
  /** A PostgreSQL connection string. Unset: embedded PGlite in `dataDir`. */
  databaseUrl?: string
  /** Where the embedded database lives. Default `./.conveyor`; `memory://` keeps it in memory. */
  dataDir?: string
  /** The PostgreSQL schema holding Conveyor's tables. Default `conveyor`. */
  schema?: string
  /** An open database seam to use instead (it is not closed by close()). */
  db?: Db
  /** Pool size for PostgreSQL. Default 10. */
  poolSize?: number
  /** Apply migrations on open. Default true. */
  migrate?: boolean
  /** Run the reaper and the cleaner in this process. Default true; any number of processes may. */
  maintenance?:
    | boolean
    | {
        reaperIntervalMs?: number
        cleanerIntervalMs?: number
        retentionMs?: Retention
        /** Run the scheduler here too. Default true. */
        scheduler?: boolean
        schedulerIntervalMs?: number
      }
  /** The largest job file accepted, in bytes. Default 50 MiB. */
  maxFileBytes?: number
  logger?: Logger
  /** Level of the default logger. Default `info`. */
  logLevel?: string
}

const schemaName = z
  .string()
  .regex(/^[a-z_][a-z0-9_]{0,47}$/, 'lower-case letters, digits and _, starting with a letter or _, at most 48 characters')

export const optionsSchema = z.object({
  databaseUrl: z
    .string()
    .regex(/^postgres(ql)?:\/\//, 'a PostgreSQL URL such as postgres://user@127.0.0.1:5432/db')
    .optional(),
  dataDir: z.string().min(1).optional(),
  schema: schemaName.default('conveyor'),
  poolSize: z.number().int().min(1).max(1000).default(10),
  migrate: z.boolean().default(true),
  logLevel: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
})

/** Parses the options once, at open; a bad one says how to fix it. */
export function parseOptions(options: ConveyorOptions) {
  const { db: _db, logger: _logger, maintenance: _m, maxFileBytes: _f, ...plain } = options
  const result = optionsSchema.safeParse(plain)
  if (!result.success) {
    const issue = result.error.issues[0]
    throw new ConveyorError(ErrorCodes.config, `invalid option ${issue?.path.join('.')}: ${issue?.message}`, {
      details: result.error.issues,
    })
  }
  return { ...result.data, dataDir: result.data.dataDir ?? './.conveyor' }
}

export { MEMORY }
