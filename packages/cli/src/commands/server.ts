import type { Command } from 'commander'
import { type Env, type Flags, parseConfig } from '../config.ts'
import { serveOptions, withDatabaseOptions } from '../options.ts'
import { serve } from '../serve.ts'

export function serverCommand(program: Command, env: Env): void {
  serveOptions(withDatabaseOptions(program.command('server')))
    .description('migrate, then serve the HTTP API and dashboard and run maintenance and the scheduler, without workers, until stopped (Ctrl+C)')
    .addHelpText(
      'after',
      '\nJobs run in `conveyor worker` processes: in-process ones on the same PostgreSQL (DATABASE_URL),' +
        '\nor over HTTP with --server URL --key KEY.' +
        '\n\nExample:\n  DATABASE_URL=postgres://app@db:5432/app conveyor server --host 0.0.0.0 --port 8080',
    )
    .action(async (flags: Flags) => {
      const config = parseConfig(flags, env)
      await serve(config, [['workers', 'none in this process (run conveyor worker)']], 'closing the HTTP API')
    })
}
