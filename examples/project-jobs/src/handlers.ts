import { setTimeout as sleep } from 'node:timers/promises'
import { type Handlers, type Job, type JobContext, PermanentError } from '@conveyor/core'
import { csvLine } from '../../app-kit/csv.ts'
import type { ProjectRecord, ProjectStore } from './project-store.ts'

export interface ImportPayload {
  records: ProjectRecord[]
  /** Replace the project's records instead of adding to them. */
  replace?: boolean
}
export interface TestRunPayload {
  suites: number
}

/** Records handled per step of an import or a validation. */
const BATCH = 25

/** The job's project and team; a job without them is a mistake that no retry fixes. */
function projectOf(job: Job): { owner: string; projectId: string } {
  const projectId = job.metadata.projectId
  if (typeof projectId !== 'string' || !job.owner) throw new PermanentError('a project job needs an owner and metadata.projectId')
  return { owner: job.owner, projectId }
}

/** Runs `count` steps, reporting progress after each; a cancel (or timeout) stops it between steps. */
async function steps(ctx: JobContext, count: number, stepMs: number, label: string, step: (i: number) => void): Promise<void> {
  for (let i = 0; i < count; i++) {
    if (stepMs > 0) await sleep(stepMs, undefined, { signal: ctx.signal })
    ctx.signal.throwIfAborted()
    step(i)
    // Not awaited: progress writes are coalesced by the worker; waiting for each would pace the job by them.
    ctx.progress(Math.floor(((i + 1) * 100) / count), `${label} ${i + 1} of ${count}`).catch((err: unknown) => ctx.log.warn({ err }, 'progress not written'))
  }
}

const validEmail = (email: string) => /^[^@\s]+@[^@\s]+\.[^@\s]+$/.test(email)

/**
 * The four job types of seed 004, on the projects' data. The work is simulated in steps of `stepMs`
 * (the data is real: imports write it, exports and validations read it).
 */
export function projectHandlers(store: ProjectStore, { stepMs }: { stepMs: number }): Handlers {
  return {
    import: async (job: Job<ImportPayload>, ctx) => {
      const { owner, projectId } = projectOf(job)
      const records = job.payload?.records
      if (!Array.isArray(records)) throw new PermanentError('an import needs payload.records: [{ name, email }, …]')
      if (job.payload.replace) store.write(owner, projectId, [], true)
      await steps(ctx, Math.max(1, Math.ceil(records.length / BATCH)), stepMs, 'batch', (i) =>
        store.write(owner, projectId, records.slice(i * BATCH, (i + 1) * BATCH)),
      )
      return { recordsProcessed: records.length, recordsCreated: records.length }
    },

    export: async (job, ctx) => {
      const { owner, projectId } = projectOf(job)
      const records = store.records(owner, projectId)
      let csv = csvLine(['name', 'email'])
      await steps(ctx, Math.max(1, Math.ceil(records.length / BATCH)), stepMs, 'batch', (i) => {
        for (const r of records.slice(i * BATCH, (i + 1) * BATCH)) csv += csvLine([r.name, r.email])
      })
      const file = `${projectId}-records.csv`
      await ctx.attach(file, csv, 'text/csv; charset=utf-8')
      return { records: records.length, file }
    },

    validation: async (job, ctx) => {
      const { owner, projectId } = projectOf(job)
      const records = store.records(owner, projectId)
      const invalid: string[] = []
      await steps(ctx, Math.max(1, Math.ceil(records.length / BATCH)), stepMs, 'batch', (i) =>
        records.slice(i * BATCH, (i + 1) * BATCH).forEach((r, j) => {
          if (!r.name.trim() || !validEmail(r.email)) invalid.push(`record ${i * BATCH + j + 1} (${JSON.stringify(r.email)})`)
        }),
      )
      // Bad data fails the job at once: running it again changes nothing until the data is fixed (then: retry).
      if (invalid.length > 0)
        throw new PermanentError(`${invalid.length} of ${records.length} records are invalid: ${invalid.slice(0, 5).join(', ')}${invalid.length > 5 ? ', …' : ''}`)
      return { checked: records.length, invalid: 0 }
    },

    'test-run': async (job: Job<TestRunPayload>, ctx) => {
      projectOf(job)
      const suites = job.payload?.suites
      if (!Number.isInteger(suites) || suites < 1) throw new PermanentError('a test run needs payload.suites, a whole number from 1')
      await steps(ctx, suites, stepMs, 'suite', () => {})
      return { suites, passed: suites, failed: 0 }
    },
  }
}
