import { type Conveyor, FINAL_STATUSES, type JobEvent, WORKER_DEFAULTS } from '@conveyor/core'
import { type Command, Option } from 'commander'
import { type Env, type Flags, parseConfig } from '../config.ts'
import { DEMO_JOBS } from '../demo-handlers.ts'
import { chooseHandlers } from '../handlers-module.ts'
import { jobPrinter } from '../job-printer.ts'
import { serveOptions, withDatabaseOptions, workerOptions } from '../options.ts'
import { serve } from '../serve.ts'
import { out } from '../terminal.ts'

interface StartFlags extends Flags {
  handlers?: string
  demo?: boolean
  quiet?: boolean
}

function printHowTo(url: string, adminKey: string, types: string[]) {
  const example = types.includes('demo.sleep') ? `{"type":"demo.sleep","payload":{"steps":5}}` : `{"type":"${types[0]}","payload":{}}`
  out('')
  out('To enqueue a job over HTTP:')
  out(`  curl -X POST ${url}/api/jobs -H "Authorization: Bearer ${adminKey}" -H "Content-Type: application/json" -d '${example}'`)
  out('To run more workers in other processes (the embedded database belongs to this one, so they join over HTTP):')
  out(`  npx conveyor keys create --role worker --server ${url} --key ${adminKey}`)
  out(`  npx conveyor worker --server ${url} --key <worker key> --handlers ./handlers.ts`)
  out('')
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
  serveOptions(workerOptions(withDatabaseOptions(program.command('start'))))
    .description('migrate, then serve the HTTP API and dashboard, run maintenance and the scheduler, and in-process workers until stopped (Ctrl+C)')
    .addOption(new Option('--demo', 'enqueue a few demo jobs at start, to watch them run (done anyway on a first start with the demo handlers)'))
    .addOption(new Option('--quiet', 'do not print a line per job event'))
    .addHelpText(
      'after',
      '\nThe admin key: CONVEYOR_ADMIN_KEY from the environment, else one is generated on the first start and printed once.' +
        '\n\nExamples:\n  conveyor start --demo\n  conveyor start --port 8080 --handlers ./handlers.ts --concurrency 20 --queues default,emails',
    )
    .action(async (flags: StartFlags) => {
      const config = parseConfig(flags, env)
      const { handlers, from } = await chooseHandlers(flags.handlers, flags.demo)
      const rows: [string, string][] = [
        ['queues', config.queues.join(', ')],
        ['handlers', `${Object.keys(handlers).join(', ')} (${from})`],
        ['concurrency', String(config.concurrency)],
      ]
      const graceS = WORKER_DEFAULTS.gracefulStopMs / 1000
      await serve(config, rows, `running jobs get up to ${graceS} s to finish`, async (conveyor, server, adminKey) => {
        const cleanups: (() => void)[] = []
        if (!flags.quiet) cleanups.push(await conveyor.subscribe(jobPrinter(conveyor)))
        const worker = conveyor.work(handlers, { concurrency: config.concurrency, queues: config.queues })
        printHowTo(server.url, adminKey, Object.keys(handlers))
        // A newcomer's first `npm start` (demo handlers, an empty database) shows jobs running without
        // being asked; later starts, and starts with your own handlers, enqueue nothing unless --demo.
        const firstDemo = !flags.handlers && (await conveyor.stats()).total === 0
        if (flags.demo || firstDemo) cleanups.push(await enqueueDemo(conveyor, config.queues[0] ?? 'default'))
        return async () => {
          await worker.stop()
          for (const off of cleanups) off()
        }
      })
    })
}
