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

/** Where `start` and `server` listen. */
export function serveOptions(cmd: Command): Command {
  return cmd
    .addOption(new Option('--port <port>', 'HTTP port; 0 picks a free one (env PORT; default 3000)'))
    .addOption(new Option('--host <host>', 'HTTP host (env HOST; default 127.0.0.1; 0.0.0.0 for every interface)'))
}

/** What in-process or HTTP workers run. */
export function workerOptions(cmd: Command): Command {
  return cmd
    .addOption(new Option('--handlers <file>', 'a .ts or .js module whose exports are handlers by job type (default: the demo handlers)'))
    .addOption(new Option('--concurrency <n>', 'jobs run at once (default 10)'))
    .addOption(new Option('--queues <names>', 'comma-separated queues to work (default: default)'))
}

/** A running server to talk to instead of the database. */
export function remoteOptions(cmd: Command, what: string): Command {
  return cmd
    .addOption(new Option('--server <url>', `${what} through this Conveyor server's HTTP API instead of the database (env CONVEYOR_SERVER)`))
    .addOption(new Option('--key <key>', 'the API key for --server (env CONVEYOR_KEY)'))
}

/** Parses a whole-number flag, or says what was wrong with it. */
export function intFlag(flag: string, value: string | undefined, min: number, max: number): number | undefined {
  if (value === undefined) return undefined
  const n = Number(value)
  if (value.trim() === '' || !Number.isInteger(n) || n < min || n > max)
    throw new UsageError(`invalid ${flag} ${JSON.stringify(value)}: expected a whole number from ${min} to ${max}`)
  return n
}
