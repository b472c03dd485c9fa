import { Command } from 'commander'
import { enqueueCommand } from './commands/enqueue.ts'
import { jobsCommand } from './commands/jobs.ts'
import { keysCommand } from './commands/keys.ts'
import { migrateCommand } from './commands/migrate.ts'
import { schedulesCommand } from './commands/schedules.ts'
import { alertsCommand } from './commands/alerts.ts'
import { serverCommand } from './commands/server.ts'
import { startCommand } from './commands/start.ts'
import { statsCommand } from './commands/stats.ts'
import { workerCommand } from './commands/worker.ts'
import type { Env } from './config.ts'
import { reportError } from './report-error.ts'

/** The `conveyor` command. `env` is the environment, read once by the entry point and handed down. */
export function createProgram(env: Env): Command {
  const program = new Command('conveyor')
    .description('Durable background jobs on PostgreSQL (embedded PGlite by default).')
    .version('0.1.0')
    // Throw instead of exiting, so every way out goes through reportError and its exit statuses.
    .exitOverride()
    .showHelpAfterError('(add --help for usage)')
    .configureHelp({ sortSubcommands: false })
  startCommand(program, env)
  serverCommand(program, env)
  workerCommand(program, env)
  migrateCommand(program, env)
  enqueueCommand(program, env)
  jobsCommand(program, env)
  statsCommand(program, env)
  schedulesCommand(program, env)
  alertsCommand(program, env)
  keysCommand(program, env)
  program.addHelpText(
    'after',
    '\nSettings come from flags or the environment: DATABASE_URL, CONVEYOR_DATA_DIR, CONVEYOR_SCHEMA, LOG_LEVEL, PORT, HOST,\n' +
      'CONVEYOR_ADMIN_KEY (start, server), CONVEYOR_SERVER and CONVEYOR_KEY (worker and keys with --server).\n' +
      'Exit status: 0 done, 1 the operation failed, 2 bad usage (a flag, argument or setting).',
  )
  return program
}

/** Runs the command line `argv` (without node and the script) and returns the exit status. */
export async function runCli(argv: readonly string[], env: Env): Promise<number> {
  try {
    await createProgram(env).parseAsync(argv, { from: 'user' })
    return 0
  } catch (error) {
    return reportError(error)
  }
}
