import { setTimeout as sleep } from 'node:timers/promises'
import { type Handlers, PermanentError } from '@conveyor/core'
import { z } from 'zod'

const sleepPayload = z
  .object({
    steps: z.number().int().min(1).max(1000).default(5),
    stepMs: z.number().int().min(0).max(60_000).default(500),
  })
  .nullish()

const flakyPayload = z.object({ failTimes: z.number().int().min(0).max(1000).default(2) }).nullish()

function parsePayload<S extends z.ZodType>(schema: S, type: string, payload: unknown): NonNullable<z.output<S>> | undefined {
  const result = schema.safeParse(payload)
  if (!result.success) {
    const issue = result.error.issues[0]
    // Retrying cannot fix a bad payload, so the job fails at once.
    throw new PermanentError(`${type}: bad payload: ${issue?.path.join('.') || '(root)'}: ${issue?.message}`)
  }
  return result.data ?? undefined
}

/**
 * The handlers `conveyor start` runs when it is given no --handlers module: enough to watch jobs run,
 * report progress, fail, retry and get cancelled without writing any code.
 *
 * @example
 *   conveyor enqueue demo.sleep --payload '{"steps": 10, "stepMs": 1000}'
 *   conveyor enqueue demo.flaky --payload '{"failTimes": 1}'
 */
export const demoHandlers: Handlers = {
  /** Sleeps `steps` times for `stepMs` (default 5 × 500 ms), reporting progress after each step. Stops when cancelled. */
  'demo.sleep': async (job, ctx) => {
    const { steps, stepMs } = parsePayload(sleepPayload, 'demo.sleep', job.payload) ?? { steps: 5, stepMs: 500 }
    for (let step = 1; step <= steps; step++) {
      await sleep(stepMs, undefined, { signal: ctx.signal })
      await ctx.progress((step / steps) * 100, `step ${step} of ${steps}`)
    }
    return { steps, stepMs, sleptMs: steps * stepMs }
  },

  /** Fails its first `failTimes` attempts (default 2), then succeeds: shows retries with backoff. */
  'demo.flaky': (job, ctx) => {
    const { failTimes } = parsePayload(flakyPayload, 'demo.flaky', job.payload) ?? { failTimes: 2 }
    if (ctx.attempt <= failTimes) throw new Error(`demo.flaky fails its first ${failTimes} attempts on purpose (this was attempt ${ctx.attempt})`)
    return { succeededOnAttempt: ctx.attempt }
  },
}

/** The jobs `conveyor start --demo` enqueues so a newcomer sees something run. */
export const DEMO_JOBS = [
  { type: 'demo.sleep', payload: { steps: 5, stepMs: 400 } },
  { type: 'demo.sleep', payload: { steps: 3, stepMs: 700 }, priority: 10 },
  { type: 'demo.flaky', payload: { failTimes: 2 }, maxAttempts: 3, backoff: { type: 'fixed' as const, delayMs: 500 } },
]
