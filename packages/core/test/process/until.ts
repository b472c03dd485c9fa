import type { Conveyor } from '../../src/index.ts'

/**
 * Resolves once `check` holds. It is re-evaluated whenever a job event arrives (coalesced: one check
 * at a time), when the event connection comes back after a loss, and every `backstopMs` in case a
 * notification was lost with a connection — the same rule the workers follow. Never a fixed sleep.
 */
export async function until(conveyor: Conveyor, check: () => Promise<boolean>, backstopMs = 1000): Promise<void> {
  let done!: () => void
  let failed!: (err: unknown) => void
  const finished = new Promise<void>((resolve, reject) => {
    done = resolve
    failed = reject
  })
  let running = false
  let again = false
  let over = false
  const run = async () => {
    if (over) return
    if (running) {
      again = true
      return
    }
    running = true
    try {
      do {
        again = false
        if (await check().catch(() => false)) {
          over = true
          done()
        }
      } while (again && !over)
    } catch (err) {
      failed(err)
    } finally {
      running = false
    }
  }
  const off = await conveyor.subscribe(() => void run())
  const offReconnect = conveyor.events.onReconnect(() => void run())
  const timer = setInterval(() => void run(), backstopMs)
  void run()
  try {
    await finished
  } finally {
    over = true
    clearInterval(timer)
    off()
    offReconnect()
  }
}

/** Resolves once the stats of `type` count `n` jobs in `status`. */
export function untilCount(conveyor: Conveyor, type: string, status: 'completed' | 'cancelled' | 'failed' | 'pending' | 'running', n: number) {
  return until(conveyor, async () => (await conveyor.stats({ type }))[status] >= n)
}
