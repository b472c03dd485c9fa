import { loadMigrations, migrate } from '@conveyor/core'
import type { Command } from 'commander'
import { type Env, type Flags, parseConfig } from '../config.ts'
import { withConveyor } from '../open.ts'
import { withDatabaseOptions } from '../options.ts'
import { out } from '../terminal.ts'

export function migrateCommand(program: Command, env: Env): void {
  withDatabaseOptions(program.command('migrate'))
    .description('apply the database migrations that are not applied yet, and print them')
    .action(async (flags: Flags) => {
      const config = parseConfig(flags, env)
      const applied = await withConveyor(config, (c) => migrate(c.db, c.schema, c.logger), { migrate: false })
      const names = new Map(loadMigrations().map((m) => [m.version, m.name]))
      const latest = Math.max(0, ...names.keys())
      for (const v of applied) out(`applied ${names.get(v) ?? v}`)
      out(
        applied.length
          ? `schema ${config.schema} is now at version ${latest}`
          : `nothing to apply: schema ${config.schema} is already at version ${latest}`,
      )
    })
}
