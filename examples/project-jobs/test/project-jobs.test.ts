import type { ConveyorClient, JobEvent } from '@conveyor/client'
import { describe, expect, it } from 'vitest'
import { cleanup, openConveyor } from '../../../packages/client/test/helpers.ts'
import { startProjectJobs } from '../src/app.ts'
import { getProjectJobs, getProjectJobStats, startProjectJob } from '../src/project-jobs.ts'
import { ProjectStore } from '../src/project-store.ts'
import { PROJECT_QUEUE } from '../src/settings.ts'

const records = (n: number, bad: number[] = []) =>
  Array.from({ length: n }, (_, i) => ({ name: `P${i + 1}`, email: bad.includes(i + 1) ? `p${i + 1}-at-example.com` : `p${i + 1}@example.com` }))

async function start() {
  const conveyor = await openConveyor()
  const store = new ProjectStore()
  // Steps of 5 ms: fast, yet a test run of many suites runs long enough to be cancelled while it runs.
  const example = await startProjectJobs(conveyor, { apiPort: 0, appPort: 0, store, stepMs: 5 })
  cleanup(() => example.close())
  return { conveyor, example, store }
}

/** The first event matching `predicate` (subscribed before the caller acts). */
function nextEvent(client: ConveyorClient, ids: string[], predicate: (e: JobEvent) => boolean): Promise<JobEvent> {
  return new Promise((resolve) => {
    const off = client.subscribe({ ids }, (e) => {
      if (predicate(e)) {
        off()
        resolve(e)
      }
    })
    cleanup(off)
  })
}

const empty = { pending: 0, scheduled: 0, running: 0, completed: 0, failed: 0, cancelled: 0, claimed: 0, total: 0 }

describe('project jobs (seed 004)', () => {
  it('runs import, export, validation and test runs with progress; per-project stats and lists count each project’s jobs only', async () => {
    const { example, store } = await start()
    const acme = await example.clientFor('acme')
    const globex = await example.clientFor('globex')

    const imported = await startProjectJob(acme, 'apollo', 'import', { records: records(60) })
    expect(imported).toMatchObject({ type: 'import', queue: PROJECT_QUEUE, status: 'pending', metadata: { projectId: 'apollo' } })
    expect(await acme.waitForJob(imported.id)).toMatchObject({ status: 'completed', progress: 100, result: { recordsProcessed: 60, recordsCreated: 60 } })
    expect(store.records('acme', 'apollo')).toHaveLength(60)

    const apolloJobs = await Promise.all([
      startProjectJob(acme, 'apollo', 'export'),
      startProjectJob(acme, 'apollo', 'validation'),
      startProjectJob(acme, 'apollo', 'test-run', { suites: 3 }),
    ])
    const [exported, validated, tested] = await Promise.all(apolloJobs.map((j) => acme.waitForJob(j.id)))
    expect(exported).toMatchObject({ status: 'completed', result: { records: 60, file: 'apollo-records.csv' } })
    const csv = await (await acme.downloadFile(exported!.id, 'apollo-records.csv')).text()
    expect(csv.split('\r\n').slice(0, 2)).toEqual(['name,email', 'P1,p1@example.com'])
    expect(validated).toMatchObject({ status: 'completed', result: { checked: 60, invalid: 0 } })
    expect(tested).toMatchObject({ status: 'completed', result: { suites: 3, passed: 3, failed: 0 } })

    // Gemini: an import with two bad emails, then a validation that fails on them.
    const geminiImport = await startProjectJob(acme, 'gemini', 'import', { records: records(10, [3, 7]) })
    await acme.waitForJob(geminiImport.id)
    const geminiCheck = await acme.waitForJob((await startProjectJob(acme, 'gemini', 'validation')).id)
    expect(geminiCheck).toMatchObject({ status: 'failed', attempts: 1 })
    expect(geminiCheck.lastError?.message).toBe('2 of 10 records are invalid: record 3 ("p3-at-example.com"), record 7 ("p7-at-example.com")')
    // Another team's project of the same id is another project.
    await globex.waitForJob((await startProjectJob(globex, 'apollo', 'test-run', { suites: 1 })).id)

    expect(await getProjectJobStats(acme, 'apollo')).toEqual({ ...empty, completed: 4, total: 4 })
    expect(await getProjectJobStats(acme, 'gemini')).toEqual({ ...empty, completed: 1, failed: 1, total: 2 })
    expect(await getProjectJobStats(globex, 'apollo')).toEqual({ ...empty, completed: 1, total: 1 })
    expect(await getProjectJobStats(acme, 'nothing-here')).toEqual(empty)

    const apollo = await getProjectJobs(acme, 'apollo')
    expect(apollo.map((j) => j.type).sort()).toEqual(['export', 'import', 'test-run', 'validation'])
    expect(apollo.every((j) => j.metadata?.projectId === 'apollo' && j.owner === 'acme')).toBe(true)
    expect((await getProjectJobs(acme, 'gemini', { status: 'failed' })).map((j) => j.id)).toEqual([geminiCheck.id])
    expect((await getProjectJobs(acme, 'apollo', { type: 'export' })).map((j) => j.id)).toEqual([exported!.id])
    expect(await getProjectJobs(acme, 'gemini', { status: 'running' })).toEqual([])
  })

  it('cancels a running test run; retries a failed validation once the data is fixed, and a cancelled job', async () => {
    const { example } = await start()
    const acme = await example.clientFor('acme')

    // Cancel while it runs (it has reported its first suite): its handler's signal fires between two suites.
    const long = await startProjectJob(acme, 'apollo', 'test-run', { suites: 100_000 })
    const reported = await nextEvent(acme, [long.id], (e) => e.status === 'running' && !!e.progressMessage)
    expect(reported.progressMessage).toMatch(/^suite \d+ of 100000$/)
    expect((await acme.cancel(long.id)).job.id).toBe(long.id)
    const cancelled = await acme.waitForJob(long.id)
    expect(cancelled.status).toBe('cancelled')
    expect(cancelled.progress).toBeLessThan(100)
    await expect(acme.cancel(long.id)).rejects.toMatchObject({ status: 409, code: 'invalid_transition' })

    // A failed validation: fix the data (import it again, replacing it), then retry the same job.
    await acme.waitForJob((await startProjectJob(acme, 'apollo', 'import', { records: records(5, [2]), replace: true })).id)
    const check = await acme.waitForJob((await startProjectJob(acme, 'apollo', 'validation')).id)
    expect(check.status).toBe('failed')
    await expect(acme.retry((await startProjectJob(acme, 'apollo', 'export')).id)).rejects.toMatchObject({ status: 409 })
    await acme.waitForJob((await startProjectJob(acme, 'apollo', 'import', { records: records(5), replace: true })).id)
    const retried = await acme.retry(check.id)
    expect(retried.job).toMatchObject({ id: check.id, status: 'pending', attempts: 0 })
    expect(await acme.waitForJob(check.id)).toMatchObject({ status: 'completed', result: { checked: 5, invalid: 0 } })

    // A cancelled job retried runs again (here a queued export, cancelled while the queue was paused).
    await example.admin.pauseQueue(PROJECT_QUEUE)
    const queued = await startProjectJob(acme, 'apollo', 'export')
    expect((await acme.cancel(queued.id)).job.status).toBe('cancelled')
    expect((await acme.retry(queued.id)).job.status).toBe('pending')
    await example.admin.resumeQueue(PROJECT_QUEUE)
    expect(await acme.waitForJob(queued.id)).toMatchObject({ status: 'completed', result: { records: 5 } })

    expect(await getProjectJobStats(acme, 'apollo')).toEqual({ ...empty, completed: 5, cancelled: 1, total: 6 })
    // Another team can neither see nor act on these jobs.
    const globex = await example.clientFor('globex')
    await expect(globex.retry(long.id)).rejects.toMatchObject({ status: 404 })
    await expect(globex.cancel(queued.id)).rejects.toMatchObject({ status: 404 })
  })
})
