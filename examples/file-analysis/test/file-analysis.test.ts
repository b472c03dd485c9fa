import { Cleaner, type JobContext } from '@conveyor/core'
import { describe, expect, it } from 'vitest'
import { logger } from '../../../packages/core/test/helpers.ts'
import { cleanup, openConveyor } from '../../../packages/client/test/helpers.ts'
import { analyseHandler } from '../src/analyse.ts'
import { startFileAnalysis } from '../src/app.ts'
import { ANALYSIS_TIMEOUT_MS, RESULT_FILE, RETENTION } from '../src/settings.ts'
import { startAnalysis } from '../src/start-analysis.ts'
import { CITIES_CSV as CSV, CITIES_STATS as EXPECTED } from './fixtures.ts'

async function start() {
  const conveyor = await openConveyor()
  const example = await startFileAnalysis(conveyor, { apiPort: 0, appPort: 0 })
  cleanup(() => example.close())
  return { conveyor, example }
}

describe('file analysis (seed 002)', () => {
  it('uploads a CSV, analyses it in a job with a 10-minute timeout, and the downloaded result has each column’s statistics', async () => {
    const { example } = await start()
    const alice = await example.clientFor('alice')

    const job = await startAnalysis(alice, 'cities.csv', CSV)
    expect(job).toMatchObject({ type: 'analyse', name: 'cities.csv', owner: 'alice', timeoutMs: ANALYSIS_TIMEOUT_MS })

    const done = await alice.waitForJob(job.id)
    expect(done).toMatchObject({ status: 'completed', progress: 100 })
    expect(done.result).toMatchObject({ file: 'cities.csv', rows: 5, columns: 4, resultFile: RESULT_FILE })
    expect((done.result as { summary: unknown[] }).summary[1]).toEqual({
      column: 'population',
      kind: 'numeric',
      count: 5,
      empty: 0,
      min: 100,
      max: 8900000,
      mean: 2144020,
      distinct: null,
    })

    const { files } = await alice.listJobFiles(job.id)
    expect(files.map((f) => [f.kind, f.name]).sort()).toEqual([
      ['input', 'cities.csv'],
      ['output', RESULT_FILE],
    ])
    const res = await alice.downloadFile(job.id, RESULT_FILE)
    expect(res.headers.get('content-type')).toBe('text/csv; charset=utf-8')
    expect(await res.text()).toBe(EXPECTED)
  })

  it('another owner gets 404 for the job and its files, and cannot attach someone else’s upload', async () => {
    const { example } = await start()
    const alice = await example.clientFor('alice')
    const bob = await example.clientFor('bob')
    const job = await startAnalysis(alice, 'cities.csv', CSV)
    await alice.waitForJob(job.id)

    await expect(bob.downloadFile(job.id, RESULT_FILE)).rejects.toMatchObject({ status: 404 })
    await expect(bob.downloadFile(job.id, 'cities.csv')).rejects.toMatchObject({ status: 404 })
    await expect(bob.listJobFiles(job.id)).rejects.toMatchObject({ status: 404 })
    await expect(bob.getJob(job.id)).rejects.toMatchObject({ status: 404 })

    const { file } = await alice.uploadFile('secret.csv', 'a\n1\n')
    await expect(bob.enqueue({ type: 'analyse', files: [file.id] })).rejects.toMatchObject({ status: 400, code: 'invalid_input' })
  })

  it('fails a file that is not CSV at once, with the reason', async () => {
    const { example } = await start()
    const alice = await example.clientFor('alice')
    const job = await startAnalysis(alice, 'broken.csv', 'a,b\n1,"never closed\n')
    const done = await alice.waitForJob(job.id)
    expect(done).toMatchObject({ status: 'failed', attempts: 1 })
    expect(done.lastError?.message).toBe('broken.csv is not valid CSV: the file ends inside a quoted field')
  })

  it('reports progress as it reads the rows', async () => {
    const conveyor = await openConveyor()
    // About 1.5 MiB: more than one stored chunk and many slices.
    const rows = Array.from({ length: 60_000 }, (_, i) => `${i},name ${i % 97},${(i % 10) / 2}\n`)
    const upload = await conveyor.files.upload({ name: 'big.csv', data: `id,name,score\n${rows.join('')}`, owner: 'alice' })
    const job = await conveyor.enqueue({ type: 'analyse', owner: 'alice', files: [upload.id] })
    const reported: number[] = []
    const ctx = {
      signal: new AbortController().signal,
      progress: async (p: number) => void reported.push(p),
      log: logger,
      attempt: 1,
      workerId: 'test',
      attach: (name: string, data: string, contentType?: string) =>
        conveyor.files.upload({ name, data, contentType, jobId: job.id, owner: 'alice', kind: 'output' }),
    } as unknown as JobContext
    const result = await analyseHandler(conveyor.files)(job, ctx)

    expect(result).toMatchObject({ rows: 60_000, columns: 3 })
    expect(result.summary[2]).toMatchObject({ column: 'score', kind: 'numeric', min: 0, max: 4.5, mean: 2.25 })
    expect(result.summary[1]).toMatchObject({ column: 'name', kind: 'text', distinct: 97 })
    expect(reported.length).toBeGreaterThan(10)
    expect(reported).toEqual([...reported].sort((a, b) => a - b))
    expect(reported.at(-1)).toBe(99)
  })

  it('the cleaner deletes finished analyses and their files 24 hours after they end, not before', async () => {
    const { conveyor, example } = await start()
    const alice = await example.clientFor('alice')
    const old = await startAnalysis(alice, 'old.csv', CSV)
    const recent = await startAnalysis(alice, 'recent.csv', CSV)
    await alice.waitForJob(old.id)
    await alice.waitForJob(recent.id)
    const age = (id: string, hours: number) =>
      conveyor.db.query(
        `UPDATE "${conveyor.schema}".jobs SET created_at = now() - make_interval(hours => $2), started_at = now() - make_interval(hours => $2),
           completed_at = now() - make_interval(hours => $2) WHERE id = $1`,
        [id, hours],
      )
    await age(old.id, 25)
    await age(recent.id, 23)

    // The cleaner as Conveyor.open({ maintenance: { retentionMs: RETENTION } }) runs it (main.ts).
    expect(await new Cleaner(conveyor.jobs, logger, { retentionMs: RETENTION, files: conveyor.files }).runOnce()).toBe(1)
    await expect(alice.getJob(old.id)).rejects.toMatchObject({ status: 404 })
    expect(await conveyor.files.list(old.id)).toEqual([])
    expect((await alice.getJob(recent.id)).job.status).toBe('completed')
    expect(await (await alice.downloadFile(recent.id, RESULT_FILE)).text()).toBe(EXPECTED)
  })
})
