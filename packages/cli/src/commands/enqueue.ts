import { type EnqueueInput, LIMITS } from '@conveyor/core'
import type { Command } from 'commander'
import { type Env, type Flags, parseConfig } from '../config.ts'
import { json } from '../format.ts'
import { withConveyor } from '../open.ts'
import { intFlag, withDatabaseOptions } from '../options.ts'
import { out } from '../terminal.ts'
import { UsageError } from '../usage-error.ts'

interface EnqueueFlags extends Flags {
  payload?: string
  queue?: string
  priority?: string
  delayMs?: string
  maxAttempts?: string
  timeoutMs?: string
  owner?: string
  idempotencyKey?: string
}

export function parsePayload(text: string | undefined): unknown {
  if (text === undefined) return undefined
  try {
    return JSON.parse(text) as unknown
  } catch (cause) {
    throw new UsageError(
      `--payload is not valid JSON (${cause instanceof Error ? cause.message : String(cause)}); ` +
        `quote it for the shell, e.g. --payload '{"steps": 3}'`,
    )
  }
}

/** The enqueue input the flags describe; unset flags stay undefined so the engine's defaults apply. */
export function enqueueInput(type: string, f: EnqueueFlags): EnqueueInput {
  return {
    type,
    source: 'cli',
    payload: parsePayload(f.payload),
    queue: f.queue,
    priority: intFlag('--priority', f.priority, -LIMITS.priority, LIMITS.priority),
    delayMs: intFlag('--delay-ms', f.delayMs, 0, LIMITS.delayMs),
    maxAttempts: intFlag('--max-attempts', f.maxAttempts, 1, LIMITS.maxAttempts),
    timeoutMs: intFlag('--timeout-ms', f.timeoutMs, 1, LIMITS.timeoutMs),
    owner: f.owner,
    idempotencyKey: f.idempotencyKey,
  }
}

export function enqueueCommand(program: Command, env: Env): void {
  withDatabaseOptions(program.command('enqueue'))
    .description('enqueue one job and print it as JSON')
    .argument('<type>', 'the job type, i.e. the name of the handler that runs it (e.g. demo.sleep)')
    .option('--payload <json>', 'the job\'s payload as JSON, e.g. \'{"steps": 3}\'')
    .option('--queue <name>', 'queue to put it on (default: default)')
    .option('--priority <n>', 'higher runs first (default 0)')
    .option('--delay-ms <n>', 'run no earlier than this many milliseconds from now')
    .option('--max-attempts <n>', 'attempts before the job fails for good (default 3)')
    .option('--timeout-ms <n>', 'fail an attempt that runs longer than this')
    .option('--owner <owner>', 'the user or tenant the job belongs to')
    .option('--idempotency-key <key>', 'an earlier job with this key (and owner) is returned instead of a new one')
    .addHelpText('after', `\nExample:\n  conveyor enqueue demo.sleep --payload '{"steps": 5, "stepMs": 1000}' --priority 5`)
    .action(async (type: string, flags: EnqueueFlags) => {
      const config = parseConfig(flags, env)
      const input = enqueueInput(type, flags)
      const job = await withConveyor(config, (c) => c.enqueue(input))
      out(json(job))
    })
}
