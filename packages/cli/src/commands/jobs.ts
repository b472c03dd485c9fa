import { ConveyorError, type Conveyor, ErrorCodes, isJobStatus, type Job, JOB_STATUSES, LIMITS } from '@conveyor/core'
import type { Command } from 'commander'
import { type Env, type Flags, parseConfig } from '../config.ts'
import { json, jobsTable } from '../format.ts'
import { withConveyor } from '../open.ts'
import { intFlag, withDatabaseOptions } from '../options.ts'
import { out } from '../terminal.ts'
import { UsageError } from '../usage-error.ts'

interface ListFlags extends Flags {
  status?: string
  type?: string
  queue?: string
  owner?: string
  limit?: string
  json?: boolean
}

function parseStatuses(text: string | undefined): string[] | undefined {
  if (text === undefined) return undefined
  const statuses = text.split(',').map((s) => s.trim())
  const bad = statuses.find((s) => !isJobStatus(s))
  if (bad !== undefined) throw new UsageError(`invalid --status ${JSON.stringify(bad)}: expected a comma-separated list of ${JOB_STATUSES.join(', ')}`)
  return statuses
}

export function jobsCommand(program: Command, env: Env): void {
  const jobs = program.command('jobs').description('list, show, retry and cancel jobs')

  withDatabaseOptions(jobs.command('list'))
    .description('list jobs, newest first')
    .option('--status <statuses>', `only these statuses, comma-separated (${JOB_STATUSES.join(', ')})`)
    .option('--type <type>', 'only jobs of this type')
    .option('--queue <name>', 'only jobs on this queue')
    .option('--owner <owner>', 'only jobs of this owner')
    .option('--limit <n>', `at most this many (default 50, at most ${LIMITS.listLimit})`)
    .option('--json', 'print { jobs, count, nextCursor } as JSON instead of a table')
    .action(async (flags: ListFlags) => {
      const config = parseConfig(flags, env)
      const filter = {
        status: parseStatuses(flags.status),
        type: flags.type,
        queue: flags.queue,
        owner: flags.owner,
        limit: intFlag('--limit', flags.limit, 1, LIMITS.listLimit) ?? 50,
      }
      const list = await withConveyor(config, (c) => c.listJobs(filter))
      if (flags.json) return out(json(list))
      if (list.jobs.length === 0) return out('no jobs match')
      out(jobsTable(list.jobs))
      out(`\n${list.jobs.length} of ${list.count} matching job${list.count === 1 ? '' : 's'}`)
    })

  const byId = (name: string, description: string, act: (c: Conveyor, id: string) => Promise<Job | null>) =>
    withDatabaseOptions(jobs.command(name))
      .description(description)
      .argument('<id>', 'the job id')
      .action(async (id: string, flags: Flags) => {
        const config = parseConfig(flags, env)
        const job = await withConveyor(config, (c) => act(c, id))
        if (!job) throw new ConveyorError(ErrorCodes.jobNotFound, `no job with id ${id}`)
        out(json(job))
      })

  byId('get', 'print one job, with its attempt log, as JSON', (c, id) => c.getJob(id))
  byId('retry', 'move a completed, failed or cancelled job back to pending (attempts start again at 0)', (c, id) => c.retry(id))
  byId('cancel', 'cancel a pending job now, or ask the worker running it to stop', (c, id) => c.cancel(id))
}
