import { type ChildProcess, spawn, spawnSync } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'
import { cleanup, startTestServer } from '../../../packages/client/test/helpers.ts'

const WORKER = fileURLToPath(new URL('../worker.py', import.meta.url))
const hasPython = spawnSync('python3', ['--version']).status === 0

/** Runs worker.py until it exits; answers its exit code and what it logged. */
function runWorker(args: string[]): { child: ChildProcess; exited: Promise<{ code: number | null; log: string }> } {
  const child = spawn('python3', [WORKER, ...args], { stdio: ['ignore', 'pipe', 'pipe'] })
  let log = ''
  child.stdout!.on('data', (d: Buffer) => (log += d.toString()))
  child.stderr!.on('data', (d: Buffer) => (log += d.toString()))
  const exited = new Promise<{ code: number | null; log: string }>((resolve) => child.on('exit', (code) => resolve({ code, log })))
  // Nothing left running if the test fails half-way.
  cleanup(async () => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGKILL')
      await exited
    }
  })
  return { child, exited }
}

describe(hasPython ? 'the Python worker (examples/python-worker)' : 'the Python worker — skipped: python3 is not on PATH', () => {
  it.skipIf(!hasPython)('claims seed 003’s search runs over HTTP, completes them with its results, fails bad input at once and stops a cancelled run', async () => {
    const { admin, url } = await startTestServer({ events: { coalesceMs: 0 } })
    const { key } = await admin.createKey({ name: 'python worker', role: 'worker' })

    const { jobs } = await admin.enqueueBatch([
      { type: 'search', payload: { jobTitle: 'engineer', location: 'London' }, owner: 'u1', source: 'manual' },
      { type: 'search', payload: { jobTitle: 'designer', location: 'Leeds', site: 'indeed', resultsWanted: 7 }, owner: 'u2', source: 'cron' },
      { type: 'search', payload: { jobTitle: 'nurse', location: 'York', resultsWanted: 1 }, owner: 'u1' },
      { type: 'search', payload: { jobTitle: 'no location' }, owner: 'u3' },
      // About 30 s of work: cancelled as soon as it runs.
      { type: 'search', payload: { jobTitle: 'slow', location: 'Bath', stepsPerSite: 50, stepMs: 200 }, owner: 'u4' },
    ])
    const [london, leeds, york, invalid, slow] = jobs.map((j) => j.id) as [string, string, string, string, string]
    const running = new Promise<void>((resolve) => {
      const off = admin.subscribe({ ids: [slow] }, (e) => {
        if (e.status === 'running') {
          off()
          resolve()
        }
      })
      cleanup(off)
    })

    const worker = runWorker(['--server', url, '--key', key, '--once-idle', '--wait-ms', '500', '--lease-ms', '1500', '--concurrency', '4'])
    await running
    await admin.cancel(slow)
    const { code, log } = await worker.exited
    expect(code, log).toBe(0)

    const byId = async (id: string) => (await admin.getJob(id)).job
    expect(await byId(london)).toMatchObject({
      status: 'completed',
      progress: 100,
      result: { jobsFound: 15, sites: ['indeed', 'linkedin', 'glassdoor'], query: 'engineer in London' },
    })
    expect((await byId(leeds)).result).toEqual({ jobsFound: 7, sites: ['indeed'], query: 'designer in Leeds' })
    expect((await byId(york)).result).toMatchObject({ jobsFound: 3 })
    expect(await byId(invalid)).toMatchObject({
      status: 'failed',
      attempts: 1,
      lastError: { name: 'PermanentError', message: 'jobTitle and location are required' },
    })
    const cancelled = await byId(slow)
    expect(cancelled).toMatchObject({ status: 'cancelled' })
    expect(cancelled.progress).toBeLessThan(100)
    expect(cancelled.attemptLog?.[0]?.workerId).toMatch(/^py:/)
  })

  it.skipIf(!hasPython)('exits with status 2 when the server refuses its key', async () => {
    const { url } = await startTestServer()
    const { code, log } = await runWorker(['--server', url, '--key', 'cv_not_a_key', '--once-idle', '--wait-ms', '0']).exited
    expect(code, log).toBe(2)
    expect(log).toContain('refused this worker key')
  })
})
