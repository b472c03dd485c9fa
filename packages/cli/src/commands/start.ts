import { resolve } from 'node:path'
import { type Conveyor, FINAL_STATUSES, type Handlers, type JobEvent, loadMigrations, WORKER_DEFAULTS } from '@conveyor/core'
import { type Command, Option } from 'commander'
import { type Config, describeDatabase, type Env, type Flags, parseConfig } from '../config.ts'
import { DEMO_JOBS, demoHandlers } from '../demo-handlers.ts'
import { loadHandlers } from '../handlers-module.ts'
import { jobPrinter } from '../job-printer.ts'
import { openConveyor } from '../open.ts'
import { withDatabaseOptions } from '../options.ts'
import { onStopSignals } from '../signals.ts'
import { out } from '../terminal.ts'

interface StartFlags extends Flags {
  handlers?: string
  demo?: boolean
  quiet?: boolean
}

async function chooseHandlers(flags: StartFlags): Promise<{ handlers: Handlers; from: string }> {
  if (!flags.handlers) return { handlers: demoHandlers, from: 'built-in demo handlers' }
  const loaded = await loadHandlers(flags.handlers)
  // --demo enqueues demo jobs, so it brings their handlers along; the module's own win on a clash.
  return flags.demo ? { handlers: { ...demoHandlers, ...loaded }, from: `${flags.handlers} + demo handlers` } : { handlers: loaded, from: flags.handlers }
}

function printSettings(config: Config, handlers: Handlers, from: string) {
  const rows: [string, string][] = [
    ['database', describeDatabase(config, (p) => resolve(p))],
    ['schema', config.schema],
    ['queues', config.queues.join(', ')],
    ['handlers', `${Object.keys(handlers).join(', ')} (${from})`],
    ['concurrency', String(config.concurrency)],
  ]
  out('Conveyor is starting')
  for (const [k, v] of rows) out(`  ${k.padEnd(12)}${v}`)
}

function printHowToEnqueue(config: Config, types: string[]) {
  const example = types.includes('demo.sleep') ? `demo.sleep --payload '{"steps": 5}'` : `${types[0]} --payload '{}'`
  out(`  http api    not part of this build yet (it will listen on http://${config.host}:${config.port})`)
  out('')
  out('To enqueue a job, use the CLI:')
  out(`  npx conveyor enqueue ${example}`)
  if (!config.databaseUrl)
    out(
      '  The embedded database allows one process at a time, so stop this one first (Ctrl+C),\n' +
        '  or use a PostgreSQL server (DATABASE_URL) and enqueue while this runs.',
    )
}

/** Enqueues the demo jobs and prints a line once every one of them has finished. */
async function enqueueDemo(conveyor: Conveyor, queue: string) {
  const finished = new Map<string, string>()
  let ids: string[] | undefined
  const check = () => {
    if (!ids || !ids.every((id) => finished.has(id))) return
    const tally = new Map<string, number>()
    for (const id of ids) tally.set(finished.get(id)!, (tally.get(finished.get(id)!) ?? 0) + 1)
    out(`demo: all ${ids.length} demo jobs finished (${[...tally].map(([s, n]) => `${n} ${s}`).join(', ')})`)
    ids = undefined
    off()
  }
  // Subscribe before enqueueing: a job could finish before enqueueMany returns its id.
  const off = await conveyor.subscribe((e: JobEvent) => {
    if (!FINAL_STATUSES.includes(e.status)) return
    finished.set(e.id, e.status)
    check()
  })
  const jobs = await conveyor.enqueueMany(DEMO_JOBS.map((j) => ({ ...j, queue, source: 'demo' })))
  ids = jobs.map((j) => j.id)
  out(`demo: enqueued ${jobs.length} demo jobs`)
  check()
  return off
}

export function startCommand(program: Command, env: Env): void {
  withDatabaseOptions(program.command('start'))
    .description('migrate, then run maintenance and in-process workers until stopped (Ctrl+C)')
    .addOption(new Option('--handlers <file>', 'a .ts or .js module whose exports are handlers by job type (default: the demo handlers)'))
    .addOption(new Option('--demo', 'enqueue a few demo jobs at start, to watch them run'))
    .addOption(new Option('--concurrency <n>', 'jobs run at once (default 10)'))
    .addOption(new Option('--queues <names>', 'comma-separated queues to work (default: default)'))
    .addOption(new Option('--port <port>', 'HTTP port (env PORT; default 3000)'))
    .addOption(new Option('--host <host>', 'HTTP host (env HOST; default 127.0.0.1)'))
    .addOption(new Option('--quiet', 'do not print a line per job event'))
    .addHelpText('after', '\nExamples:\n  conveyor start --demo\n  conveyor start --handlers ./handlers.ts --concurrency 20 --queues default,emails')
    .action(async (flags: StartFlags) => {
      const config = parseConfig(flags, env)
      const { handlers, from } = await chooseHandlers(flags)
      printSettings(config, handlers, from)
      const graceS = WORKER_DEFAULTS.gracefulStopMs / 1000
      const stop = onStopSignals(`running jobs get up to ${graceS} s to finish`)
      try {
        const conveyor = await openConveyor(config, { maintenance: true })
        const cleanups: (() => void)[] = []
        try {
          const latest = loadMigrations().at(-1)
          out(`  migrations  up to date (${latest?.name ?? 'none'})`)
          if (!flags.quiet) cleanups.push(await conveyor.subscribe(jobPrinter(conveyor)))
          const worker = conveyor.work(handlers, { concurrency: config.concurrency, queues: config.queues })
          printHowToEnqueue(config, Object.keys(handlers))
          out('')
          if (flags.demo) cleanups.push(await enqueueDemo(conveyor, config.queues[0] ?? 'default'))
          out('Conveyor is running; press Ctrl+C to stop.')
          await stop.requested
          await worker.stop()
        } finally {
          for (const off of cleanups) off()
          await conveyor.close()
        }
        out('Conveyor stopped.')
      } finally {
        stop.dispose()
      }
    })
}
