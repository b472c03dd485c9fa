import { type Command, Option } from 'commander'
import { UsageError } from './usage-error.ts'

/** The flags every command that opens the database takes (see config.ts for their environment twins). */
export function withDatabaseOptions(cmd: Command): Command {
  return cmd
    .addOption(new Option('--database-url <url>', 'PostgreSQL URL (env DATABASE_URL); unset: the embedded database'))
    .addOption(new Option('--data-dir <dir>', 'embedded database directory (env CONVEYOR_DATA_DIR; default ./.conveyor)'))
    .addOption(new Option('--schema <name>', "PostgreSQL schema for Conveyor's tables (env CONVEYOR_SCHEMA; default conveyor)"))
    .addOption(new Option('--log-level <level>', 'structured logs on stderr (env LOG_LEVEL; default warn)'))
}

/** Parses a whole-number flag, or says what was wrong with it. */
export function intFlag(flag: string, value: string | undefined, min: number, max: number): number | undefined {
  if (value === undefined) return undefined
  const n = Number(value)
  if (value.trim() === '' || !Number.isInteger(n) || n < min || n > max)
    throw new UsageError(`invalid ${flag} ${JSON.stringify(value)}: expected a whole number from ${min} to ${max}`)
  return n
}
