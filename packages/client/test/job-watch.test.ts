import { createElement } from 'react'
import { renderToString } from 'react-dom/server'
import { describe, expect, it } from 'vitest'
import { JobListWatch, JobWatch, type JobListState, type JobWatchState, type Job } from '../src/index.ts'
import { useJob, useJobs } from '../src/react.ts'
import { cleanup, deferred, failFinalRead, startTestServer, untilOpenStreams } from './helpers.ts'

/** Listens to a store as useSyncExternalStore would; `until` resolves when a snapshot matches. */
function listen<S>(store: { subscribe(l: () => void): () => void; getSnapshot(): S }) {
  const waiters: { test: (s: S) => boolean; resolve: (s: S) => void }[] = []
  const snapshots: S[] = []
  const check = () => {
    const s = store.getSnapshot()
    snapshots.push(s)
    for (const w of waiters.slice()) if (w.test(s)) (waiters.splice(waiters.indexOf(w), 1), w.resolve(s))
  }
  const off = store.subscribe(check)
  cleanup(off)
  return {
    off,
    snapshots,
    until: (test: (s: S) => boolean) =>
      new Promise<S>((resolve) => {
        const now = store.getSnapshot()
        if (test(now)) return resolve(now)
        waiters.push({ test, resolve })
      }),
  }
}

describe('JobWatch (the store behind useJob)', () => {
  it('shows a job live: its progress, then its result, calls onCompleted once and stops listening', async () => {
    const { admin, conveyor } = await startTestServer({ events: { coalesceMs: 0 } })
    const { job } = await admin.enqueue({ type: 'scan' })
    const completed: Job[] = []
    const watch = new JobWatch(admin, job.id, () => ({ onCompleted: (j) => completed.push(j) }))
    const view = listen<JobWatchState>(watch)
    expect(watch.getSnapshot().loading).toBe(true)
    await view.until((s) => s.job?.status === 'pending')

    const halfway = deferred()
    const release = deferred()
    const worker = conveyor.work({
      scan: async (_j, ctx) => {
        await ctx.progress(50, 'halfway')
        halfway.resolve()
        await release.promise
        return { found: 7 }
      },
    })
    try {
      await halfway.promise
      expect((await view.until((s) => s.job?.progress === 50)).job).toMatchObject({ status: 'running', progressMessage: 'halfway' })
      release.resolve()
      const done = await view.until((s) => s.job?.status === 'completed')
      expect(done).toMatchObject({ loading: false, error: undefined, job: { result: { found: 7 } } })
      expect(completed.map((j) => j.result)).toEqual([{ found: 7 }])
      // The job has ended: its stream is closed although the view still listens.
      await untilOpenStreams(admin, 0)
      expect(view.snapshots.at(-1)?.job?.status).toBe('completed')
    } finally {
      await worker.stop()
    }
  })

  it('calls onFailed for a job that failed, and reports a job that does not exist as a 404 error', async () => {
    const { admin, conveyor } = await startTestServer()
    const { job } = await admin.enqueue({ type: 'scan', maxAttempts: 1 })
    await conveyor.jobs.claim({ workerId: 'w', queues: ['default'], types: null, limit: 1, leaseMs: 30_000 })
    await conveyor.jobs.fail('w', [{ id: job.id, attempt: 1, error: { message: 'dead link', name: 'Error' }, retryable: true }])
    const failed = deferred<Job>()
    listen(new JobWatch(admin, job.id, () => ({ onFailed: failed.resolve })))
    expect(await failed.promise).toMatchObject({ status: 'failed', lastError: { message: 'dead link' } })

    const missing = listen<JobWatchState>(new JobWatch(admin, '00000000-0000-4000-8000-000000000000'))
    const state = await missing.until((s) => !s.loading)
    expect(state).toMatchObject({ job: undefined, error: { status: 404, code: 'job_not_found' } })
  })

  it('a read that fails after the last event is retried: the watch ends with the job and calls onCancelled', async () => {
    const t = await startTestServer()
    const flaky = failFinalRead(t.url, t.adminKey, 2) // the poll's read delivers the event; the whole-job read after it fails
    const { job } = await flaky.client.enqueue({ type: 'scan' })
    const cancelled = deferred<Job>()
    const watch = new JobWatch(flaky.client, job.id, () => ({ onCancelled: cancelled.resolve }), { mode: 'poll', pollIntervalMs: 1000 })
    const l = listen<JobWatchState>(watch)
    await l.until((s) => s.job?.status === 'pending')
    await flaky.client.cancel(job.id)
    expect(await cancelled.promise).toMatchObject({ id: job.id, status: 'cancelled' })
    expect(watch.getSnapshot()).toMatchObject({ job: { status: 'cancelled' }, error: undefined })
    expect(flaky.failed()).toBe(1)
  })

  it('a job deleted while watched shows the 404 at the next read (recheckMs) and tells onGone', async () => {
    const { admin } = await startTestServer()
    const { job } = await admin.enqueue({ type: 'scan' })
    const gone = deferred<string>()
    const watch = new JobWatch(admin, job.id, undefined, { recheckMs: 100, onGone: gone.resolve })
    const l = listen<JobWatchState>(watch)
    await l.until((s) => s.job?.status === 'pending')
    await admin.remove(job.id)
    const s = await l.until((s) => s.error !== undefined)
    expect((s.error as { status?: number }).status).toBe(404)
    expect(await gone.promise).toBe(job.id)
    expect(() => new JobWatch(admin, job.id, undefined, { recheckMs: 10 })).toThrow('recheckMs must be at least 100')
  })
})

describe('JobListWatch (the store behind useJobs)', () => {
  it('lists jobs and keeps the list live: new jobs appear, status changes move them, progress applies in place', async () => {
    const { admin, conveyor } = await startTestServer({ events: { coalesceMs: 0 } })
    await admin.enqueue({ type: 'import' })
    const watch = new JobListWatch(admin, { type: 'import', status: ['pending', 'running'] })
    const view = listen<JobListState>(watch)
    expect((await view.until((s) => !s.loading)).count).toBe(1)

    const { job: second } = await admin.enqueue({ type: 'import' })
    await admin.enqueue({ type: 'export' })
    await view.until((s) => s.jobs.some((j) => j.id === second.id))

    const [claimed] = await conveyor.jobs.claim({ workerId: 'w', queues: ['default'], types: ['import'], limit: 1, leaseMs: 30_000 })
    await view.until((s) => s.jobs.some((j) => j.id === claimed!.id && j.status === 'running'))
    await conveyor.jobs.progress('w', [{ id: claimed!.id, attempt: 1, progress: 80, message: null }])
    await view.until((s) => s.jobs.some((j) => j.id === claimed!.id && j.progress === 80))
    await conveyor.jobs.complete('w', [{ id: claimed!.id, attempt: 1, result: null }])
    const after = await view.until((s) => !s.jobs.some((j) => j.id === claimed!.id))
    expect(after.count).toBe(1)
    expect(after.jobs.every((j) => j.type === 'import')).toBe(true)
  })
})

describe('the React hooks', () => {
  it('render on the server with the loading state (no request is made before mount)', () => {
    const never = () => {
      throw new Error('no request may be made while rendering')
    }
    const client = { subscribe: never, getJob: never, listJobs: never } as never
    const html = renderToString(
      createElement(() => {
        const one = useJob(client, 'a1', { onCompleted: () => {} })
        const none = useJob(client, null)
        const list = useJobs(client, { status: ['running'] })
        return createElement('p', null, `${one.loading}/${none.loading}/${list.loading}/${list.jobs.length}`)
      }),
    )
    expect(html).toBe('<p>true/false/true/0</p>')
  })
})
