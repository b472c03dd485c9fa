import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { startServer } from '@conveyor/server'
import { afterEach, describe, expect, it } from 'vitest'
import { openConveyor, waitForStatus } from '../../../packages/core/test/helpers.ts'
import { runSeed001 } from '../run-seed-001.ts'
import { createExtractionHandler } from '../src/claude-extraction.ts'
import { currentBranch, ensureScratchRepo, git } from '../src/git.ts'

const ADMIN_KEY = 'test-admin-key-0123456789'
const cleanups: (() => Promise<unknown>)[] = []

// Registered after the core helpers' afterEach (imported above), so it runs first: the worker and the
// server stop before their Conveyor closes.
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c()
})

async function scratchRepo(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'queue-api-test-'))
  cleanups.push(() => rm(dir, { recursive: true, force: true }))
  return join(dir, 'repo')
}

const branches = async (repo: string) => (await git(repo, ['branch', '--format=%(refname:short)'])).split('\n').filter(Boolean).sort()

describe('queue API (seed 001)', () => {
  it("every call of seed 001's document answers as it shows, with the handler completing jobs on their branch and failing a bad one", async () => {
    const conveyor = await openConveyor()
    const repo = await scratchRepo()
    const worker = conveyor.work({ default: createExtractionHandler({ repoDir: repo }) }, { concurrency: 2 })
    cleanups.push(() => worker.stop())
    const server = await startServer({ conveyor, port: 0, adminKey: ADMIN_KEY, bootstrapAdminKey: false })
    cleanups.push(() => server.close())

    const lines: string[] = []
    const report = await runSeed001({ url: server.url, key: ADMIN_KEY, print: (line) => lines.push(line), timeoutMs: 15_000 })

    expect(report.failed, lines.join('\n')).toEqual([])
    const calls = report.calls.map((c) => c.call)
    for (const route of ['POST /api/jobs/enqueue', 'GET /api/jobs?status=pending', 'GET /api/jobs?status=claimed', 'GET /api/jobs?status=completed', 'GET /api/jobs?status=failed', 'GET /api/jobs?limit=10&offset=20', 'GET /api/jobs/stats', 'GET /api/jobs/:id', 'POST /api/jobs/:id/retry', 'DELETE /api/jobs/:id', 'DELETE /api/jobs'])
      expect(calls.some((c) => c.startsWith(route)), route).toBe(true)
    expect(lines.at(-1)).toBe(`all ${report.calls.length} calls answered as the document shows`)

    // The handler ran the command on the job's branch (created for it), and failed the bad branch at once.
    expect(report.jobs.enqueued).toMatchObject({ status: 'completed', result: { branch: 'feat/dark-mode', command: ['git', 'status', '--short'], output: '' } })
    expect(report.jobs.failing).toMatchObject({ status: 'failed', attempts: 1, lastError: { name: 'PermanentError', message: 'not a valid branch name: "bad..branch"' } })
    // …and the scratch repository is back on main.
    expect(await currentBranch(repo)).toBe('main')
    expect(await branches(repo)).toEqual(['feat/dark-mode', 'main'])
  })

  it('the handler returns to main when the command fails, and the attempt fails with its output', async () => {
    const conveyor = await openConveyor()
    const repo = await ensureScratchRepo(await scratchRepo())
    const handler = createExtractionHandler({ repoDir: repo, command: ['git', 'show', '{prompt}'] })
    const worker = conveyor.work({ default: handler })
    cleanups.push(() => worker.stop())

    const job = await conveyor.enqueue({ type: 'default', payload: { prompt: 'no-such-revision', branch: 'feat/broken' }, maxAttempts: 1 })
    const done = await waitForStatus(conveyor, job.id, ['completed', 'failed'])

    expect(done.status).toBe('failed')
    expect(done.lastError?.message).toMatch(/^git exited with 128: fatal: ambiguous argument 'no-such-revision'/)
    expect(await currentBranch(repo)).toBe('main')
    expect(await branches(repo)).toEqual(['feat/broken', 'main'])
  })
})
