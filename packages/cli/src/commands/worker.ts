import { type HttpHandlers, HttpWorker, isConveyorHttpError } from '@conveyor/client'
import { type Handlers, WORKER_DEFAULTS } from '@conveyor/core'
import { type Command, Option } from 'commander'
import { resolve } from 'node:path'
import { CliError } from '../cli-error.ts'
import { type Config, describeDatabase, type Env, type Flags, parseConfig } from '../config.ts'
import { settingsBlock } from '../format.ts'
import { chooseHandlers } from '../handlers-module.ts'
import { printingHandlers } from '../job-printer.ts'
import { openConveyor } from '../open.ts'
import { remoteOptions, withDatabaseOptions, workerOptions } from '../options.ts'
import { remoteClient } from '../remote.ts'
import { onStopSignals } from '../signals.ts'
import { cliLogger, out } from '../terminal.ts'
import { UsageError } from '../usage-error.ts'

interface WorkerFlags extends Flags {
  handlers?: string
  quiet?: boolean
}

const GRACE = `running jobs get up to ${WORKER_DEFAULTS.gracefulStopMs / 1000} s to finish`
/** How often a worker over HTTP checks whether it stopped by itself (the server refused its key). */
const REFUSAL_CHECK_MS = 1000

function workerRows(config: Config, handlers: Handlers, from: string): [string, string][] {
  return [
    ['queues', config.queues.join(', ')],
    ['handlers', `${Object.keys(handlers).join(', ')} (${from})`],
    ['concurrency', String(config.concurrency)],
  ]
}

/** Runs the handlers in this process against the database (DATABASE_URL, or the embedded data dir). */
async function runInProcess(config: Config, handlers: Handlers, from: string) {
  out(
    settingsBlock('Conveyor worker is starting', [
      ['database', describeDatabase(config, (p) => resolve(p))],
      ['schema', config.schema],
      ...workerRows(config, handlers, from),
    ]),
  )
  const stop = onStopSignals(GRACE)
  try {
    // Workers only: maintenance and the scheduler run in `conveyor start` / `conveyor server`.
    const conveyor = await openConveyor(config)
    try {
      const worker = conveyor.work(handlers, { concurrency: config.concurrency, queues: config.queues })
      out(`Worker ${worker.id} is taking jobs; press Ctrl+C to stop.`)
      await stop.requested
      await worker.stop()
    } finally {
      await conveyor.close()
    }
    out('Worker stopped.')
  } finally {
    stop.dispose()
  }
}

/**
 * Runs the handlers here against a server's HTTP worker protocol: how extra processes join a Conveyor
 * whose embedded database belongs to the server's process. Stops on Ctrl+C, or with status 1 when the
 * server refuses the key (unknown, revoked, or a role that may not claim jobs).
 */
async function runOverHttp(config: Config, handlers: Handlers, from: string) {
  const client = remoteClient(config)
  out(settingsBlock('Conveyor worker is starting', [['server', config.server!], ...workerRows(config, handlers, from)]))
  // Fails fast on a server that is not there or a key it does not know, before any job is claimed.
  await client.listQueues()
  const stop = onStopSignals(GRACE)
  try {
    // The handlers module is written against the in-process context; over HTTP ctx.attach is absent.
    const worker = new HttpWorker(client, handlers as unknown as HttpHandlers, {
      concurrency: config.concurrency,
      queues: config.queues,
      logger: cliLogger(config),
    })
    out(`Worker ${worker.id} is taking jobs from ${config.server}; press Ctrl+C to stop.`)
    let timer: ReturnType<typeof setInterval> | undefined
    // HttpWorker stops by itself when its key is refused: ready() rejects on the first claim, and a
    // key revoked later only shows as `stopping`.
    const refused = new Promise<unknown>((done) => {
      worker.ready().catch(done)
      timer = setInterval(() => worker.stopping && done(undefined), REFUSAL_CHECK_MS)
    })
    const why = await Promise.race([stop.requested.then(() => 'signal' as const), refused])
    clearInterval(timer)
    await worker.stop()
    if (why !== 'signal') {
      const detail = isConveyorHttpError(why) ? `${why.message} (${why.status})` : 'it refused the key (revoked?)'
      throw new CliError(
        isConveyorHttpError(why) ? why.code : 'unauthorized',
        `the server stopped taking this worker: ${detail}; a worker needs a key with the worker (or admin) role: conveyor keys create --role worker`,
      )
    }
    out('Worker stopped.')
  } finally {
    stop.dispose()
  }
}

export function workerCommand(program: Command, env: Env): void {
  remoteOptions(workerOptions(withDatabaseOptions(program.command('worker'))), 'take jobs')
    .description('run handlers until stopped (Ctrl+C): in this process against the database, or over HTTP against a running server')
    .addOption(new Option('--quiet', 'do not print a line when a job starts and ends'))
    .addHelpText(
      'after',
      '\nWith --server, jobs are claimed over HTTP (a key with the worker role): this is how extra processes' +
        '\njoin a `conveyor start` whose embedded database only its own process may open.' +
        '\n\nExamples:\n  conveyor worker --handlers ./handlers.ts --concurrency 20          # DATABASE_URL or ./.conveyor' +
        '\n  conveyor worker --server http://127.0.0.1:3000 --key cvk_… --handlers ./handlers.ts',
    )
    .action(async (flags: WorkerFlags) => {
      const config = parseConfig(flags, env)
      if (config.key && !config.server) throw new UsageError('--key is the key for --server URL; pass both, or neither to work against the database')
      const { handlers, from } = await chooseHandlers(flags.handlers)
      const run = flags.quiet ? handlers : printingHandlers(handlers)
      await (config.server ? runOverHttp(config, run, from) : runInProcess(config, run, from))
    })
}
