import type { Command } from 'commander'
import { type Env, type Flags, parseConfig } from '../config.ts'
import { json, statsTable } from '../format.ts'
import { withConveyor } from '../open.ts'
import { withDatabaseOptions } from '../options.ts'
import { out } from '../terminal.ts'

interface StatsFlags extends Flags {
  queue?: string
  type?: string
  owner?: string
  json?: boolean
}

export function statsCommand(program: Command, env: Env): void {
  withDatabaseOptions(program.command('stats'))
    .description('count jobs by status')
    .option('--queue <name>', 'only jobs on this queue')
    .option('--type <type>', 'only jobs of this type')
    .option('--owner <owner>', 'only jobs of this owner')
    .option('--json', 'print the counts as JSON')
    .action(async (flags: StatsFlags) => {
      const config = parseConfig(flags, env)
      const stats = await withConveyor(config, (c) => c.stats({ queue: flags.queue, type: flags.type, owner: flags.owner }))
      out(flags.json ? json(stats) : statsTable(stats))
    })
}
