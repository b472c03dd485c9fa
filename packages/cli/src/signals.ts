import { err } from './terminal.ts'

const SIGNALS = ['SIGINT', 'SIGTERM'] as const
const NUMBERS: Record<(typeof SIGNALS)[number], number> = { SIGINT: 2, SIGTERM: 15 }

/**
 * The first SIGINT or SIGTERM asks for a graceful stop (`requested` resolves); a second one exits at
 * once with 128 + the signal's number, as a shell reports a process killed by it. `dispose()` hands
 * the signals back to Node's defaults.
 */
export function onStopSignals(describeStop: string): { requested: Promise<string>; dispose(): void } {
  let resolve!: (signal: string) => void
  const requested = new Promise<string>((r) => (resolve = r))
  let received = 0
  const handler = (signal: (typeof SIGNALS)[number]) => {
    received++
    if (received === 1) {
      err(`\n${signal}: stopping gracefully (${describeStop}); send it again to stop at once`)
      resolve(signal)
      return
    }
    err(`${signal} again: exiting now without waiting for running jobs (their leases will run out and the jobs will run again)`)
    process.exit(128 + NUMBERS[signal])
  }
  for (const s of SIGNALS) process.on(s, handler)
  return {
    requested,
    dispose: () => {
      for (const s of SIGNALS) process.off(s, handler)
    },
  }
}
