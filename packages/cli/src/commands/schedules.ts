import { ConveyorError, type Conveyor, ErrorCodes, isUuid, LIMITS, nextTicks, parseCron, type Schedule, type ScheduleInput } from '@conveyor/core'
import { type Command, Option } from 'commander'
import { type Env, type Flags, parseConfig } from '../config.ts'
import { json, table, time } from '../format.ts'
import { withConveyor } from '../open.ts'
import { intFlag, withDatabaseOptions } from '../options.ts'
import { out } from '../terminal.ts'
import { UsageError } from '../usage-error.ts'
import { zonedTime } from '../zoned-time.ts'
import { parsePayload } from './enqueue.ts'

interface AddFlags extends Flags {
  name: string
  cron: string
  type: string
  timezone?: string
  payload?: string
  queue?: string
  priority?: string
  owner?: string
  maxAttempts?: string
  timeoutMs?: string
  overlap?: 'allow' | 'skip'
  catchUp?: 'none' | 'latest'
  disabled?: boolean
  replace?: boolean
  json?: boolean
}

/** The schedule named, or with the id, `ref`. */
async function findSchedule(c: Conveyor, ref: string): Promise<Schedule> {
  const found = isUuid(ref) ? await c.schedules.get(ref) : await c.schedules.getByName(ref)
  if (!found) throw new ConveyorError(ErrorCodes.scheduleNotFound, `no schedule named or with id ${JSON.stringify(ref)} (conveyor schedules list shows them)`)
  return found
}

/** The next run in the schedule's own zone, or why there is none. */
function nextRun(s: Schedule): string {
  if (!s.enabled) return '- (disabled)'
  return s.nextRunAt ? zonedTime(s.nextRunAt, s.timezone) : '- (never again)'
}

function schedulesTable(schedules: readonly Schedule[]): string {
  return table(
    ['NAME', 'CRON', 'TIMEZONE', 'TYPE', 'QUEUE', 'ENABLED', 'NEXT RUN (ITS ZONE)', 'LAST TICK (UTC)', 'ID'],
    schedules.map((s) => [s.name, s.cron, s.timezone, s.type, s.queue, s.enabled ? 'yes' : 'no', nextRun(s), time(s.lastTickAt), s.id]),
  )
}

/** The schedule the flags describe, with the cron expression and zone checked before the database is opened. */
function scheduleInput(f: AddFlags): ScheduleInput {
  const timezone = f.timezone ?? 'UTC'
  try {
    parseCron(f.cron, timezone)
  } catch (error) {
    const field = ((error as ConveyorError).details as { path?: string }[] | undefined)?.[0]?.path
    if (error instanceof ConveyorError && field) throw new UsageError(`invalid --${field}: ${error.message}`)
    throw error
  }
  return {
    name: f.name,
    cron: f.cron,
    timezone,
    type: f.type,
    payload: parsePayload(f.payload),
    queue: f.queue,
    priority: intFlag('--priority', f.priority, -LIMITS.priority, LIMITS.priority),
    owner: f.owner,
    maxAttempts: intFlag('--max-attempts', f.maxAttempts, 1, LIMITS.maxAttempts),
    timeoutMs: intFlag('--timeout-ms', f.timeoutMs, 1, LIMITS.timeoutMs),
    enabled: !f.disabled,
    overlap: f.overlap,
    catchUp: f.catchUp,
  }
}

export function schedulesCommand(program: Command, env: Env): void {
  const schedules = program
    .command('schedules')
    .description('cron schedules that enqueue a job at each tick, exactly once however many schedulers run')

  withDatabaseOptions(schedules.command('list'))
    .description("list the schedules with each one's next run in its own time zone")
    .option('--json', 'print the schedules as JSON')
    .action(async (flags: Flags & { json?: boolean }) => {
      const config = parseConfig(flags, env)
      const list = await withConveyor(config, (c) => c.schedules.list())
      if (flags.json) return out(json(list))
      out(list.length ? schedulesTable(list) : 'no schedules (conveyor schedules add creates one)')
    })

  withDatabaseOptions(schedules.command('add'))
    .description('add a schedule and print its next five runs')
    .requiredOption('--name <name>', 'a unique name')
    .requiredOption('--cron <expr>', 'when: 5 fields (minute hour day month weekday), or 6 with seconds first')
    .requiredOption('--type <type>', 'the job type each tick enqueues')
    .option('--timezone <zone>', 'the IANA time zone the cron expression reads in, e.g. Europe/London (default UTC)')
    .option('--payload <json>', 'the payload of each job, as JSON')
    .option('--queue <name>', 'queue of each job (default: default)')
    .option('--priority <n>', 'priority of each job (default 0)')
    .option('--owner <owner>', 'the user or tenant each job belongs to')
    .option('--max-attempts <n>', 'attempts of each job (default: the engine default, 3)')
    .option('--timeout-ms <n>', 'timeout of each attempt')
    .addOption(new Option('--overlap <mode>', 'allow: run every tick; skip: skip a tick while the previous run is pending or running').choices(['allow', 'skip']).default('allow'))
    .addOption(
      new Option('--catch-up <mode>', 'none: ticks missed while nothing ran are skipped; latest: the most recent one runs once').choices(['none', 'latest']).default('none'),
    )
    .option('--disabled', 'add it disabled (enable it with conveyor schedules enable)')
    .option('--replace', 'replace a schedule of the same name instead of refusing')
    .option('--json', 'print the schedule as JSON')
    .addHelpText(
      'after',
      `\nExamples:\n  conveyor schedules add --name morning-search --cron '0 9 * * 1-5' --timezone Europe/London --type search.run --payload '{"q": "jobs"}'` +
        `\n  conveyor schedules add --name heartbeat --cron '*/10 * * * * *' --type ping --overlap skip`,
    )
    .action(async (flags: AddFlags) => {
      const input = scheduleInput(flags)
      const config = parseConfig(flags, env)
      const s = await withConveyor(config, (c) => (flags.replace ? c.schedules.upsert(input) : c.schedules.create(input))).catch((error: unknown) => {
        // The engine's message speaks of the API (PATCH); here the way out is a flag.
        if ((error as { code?: unknown }).code !== ErrorCodes.alreadyExists) throw error
        throw new ConveyorError(ErrorCodes.alreadyExists, `a schedule named "${input.name}" exists already: add --replace to replace it, or pick another --name`)
      })
      if (flags.json) return out(json(s))
      out(`added schedule ${s.name} (${s.id}): ${s.cron} in ${s.timezone}, enqueues ${s.type} on ${s.queue}${s.enabled ? '' : ' (disabled)'}`)
      out(`next runs (${s.timezone}):`)
      for (const t of nextTicks(parseCron(s.cron, s.timezone), 5)) out(`  ${zonedTime(t, s.timezone)}`)
    })

  const byRef = (name: string, description: string, act: (c: Conveyor, s: Schedule) => Promise<void>) =>
    withDatabaseOptions(schedules.command(name))
      .description(description)
      .argument('<schedule>', 'the schedule, by name or id')
      .action(async (ref: string, flags: Flags) => {
        const config = parseConfig(flags, env)
        await withConveyor(config, async (c) => act(c, await findSchedule(c, ref)))
      })

  byRef('trigger', 'enqueue one run now, outside the timetable, and print the job as JSON', async (c, s) => {
    out(json(await c.schedules.trigger(s.id)))
  })
  byRef('enable', 'enable a schedule: it fires from its next tick on', async (c, s) => {
    const updated = await c.schedules.update(s.id, { enabled: true })
    out(`enabled ${updated.name}; next run ${nextRun(updated)}`)
  })
  byRef('disable', 'disable a schedule: no tick fires until it is enabled again', async (c, s) => {
    await c.schedules.update(s.id, { enabled: false })
    out(`disabled ${s.name}`)
  })
  byRef('remove', 'remove a schedule (the jobs it made stay)', async (c, s) => {
    await c.schedules.remove(s.id)
    out(`removed ${s.name}`)
  })
}
