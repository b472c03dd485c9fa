import { type Conveyor, FINAL_STATUSES, type Handlers, type JobEvent } from '@conveyor/core'
import { out } from './terminal.ts'

function clock(): string {
  return new Date().toTimeString().slice(0, 8)
}

/** One terminal line about a job: time, type, id, what happened. */
export function printJobLine(job: { type: string; id: string }, what: string): void {
  out(`${clock()}  ${job.type}  ${job.id}  ${what}`)
}

/**
 * Prints one terminal line per job event of `conveyor start`: enqueued, started, progress, completed,
 * an attempt that failed (with its error) and the final failure. Why the job failed is not in the event,
 * so failures read the job once.
 */
export function jobPrinter(conveyor: Conveyor): (e: JobEvent) => void {
  const last = new Map<string, JobEvent['status']>()
  const line = printJobLine
  // The event says where the job went, not why: the last attempt's entry in the job's log does.
  const afterAttempt = (e: JobEvent, what: string) =>
    void conveyor
      .getJob(e.id)
      .then((job) => {
        const attempt = job?.attemptLog?.at(-1)
        if (attempt?.outcome === 'released') return line(e, 'handed back to pending (its worker stopped)')
        const why = attempt?.error?.message ?? job?.lastError?.message
        line(e, `${what}${attempt && attempt.outcome !== 'failed' ? ` (${attempt.outcome})` : ''}${why ? `: ${why}` : ''}`)
      })
      .catch(() => line(e, what))

  return (e) => {
    const before = last.get(e.id)
    if (FINAL_STATUSES.includes(e.status)) last.delete(e.id)
    else last.set(e.id, e.status)
    if (e.status === before) {
      if (e.status === 'running' && !e.cancelRequested) line(e, `${e.progress}%${e.progressMessage ? ` ${e.progressMessage}` : ''}`)
      else if (e.cancelRequested) line(e, 'cancel requested')
      return
    }
    switch (e.status) {
      case 'pending':
        return before === 'running' ? afterAttempt(e, 'attempt failed, will retry') : line(e, 'enqueued')
      case 'running':
        return line(e, 'started')
      case 'completed':
        return line(e, 'completed')
      case 'failed':
        return afterAttempt(e, 'failed')
      case 'cancelled':
        return line(e, 'cancelled')
    }
  }
}

/**
 * Wraps handlers so each attempt this process runs prints a line when it starts and when it ends: what
 * `conveyor worker` shows, since it sees only its own jobs (start prints every job's events instead).
 */
export function printingHandlers(handlers: Handlers): Handlers {
  const wrapped: Handlers = {}
  for (const [type, handler] of Object.entries(handlers)) {
    wrapped[type] = async (job, ctx) => {
      printJobLine(job, 'started')
      try {
        const result = await handler(job, ctx)
        printJobLine(job, 'completed')
        return result
      } catch (error) {
        printJobLine(job, `attempt failed: ${error instanceof Error ? error.message : String(error)}`)
        throw error
      }
    }
  }
  return wrapped
}
