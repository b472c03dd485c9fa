import { type ChildProcess, spawn, spawnSync } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'
import { cleanup, startTestServer } from '../../../packages/client/test/helpers.ts'

const WORKER = fileURLToPath(new URL('../worker.py', import.meta.url))
/** worker.py with handlers that misbehave: stuck, polite, result (of payload.kind), raises. */
const FIXTURE = fileURLToPath(new URL('./fixture-worker.py', import.meta.url))
const hasPython = spawnSync('python3', ['--version']).status === 0

/** Runs worker.py until it exits; answers its exit code and what it logged. */
function runWorker(args: string[], script = WORKER): { child: ChildProcess; exited: Promise<{ code: number | null; log: string }> } {
  const child = spawn('python3', [script, ...args], { stdio: ['ignore', 'pipe', 'pipe'] })
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

  it.skipIf(!hasPython)('fails an attempt that runs past its timeoutMs with a retryable TimeoutError, tells the handler to stop and frees its slot even when the handler never returns', async () => {
    const { admin, url } = await startTestServer()
    const { key } = await admin.createKey({ name: 'python worker', role: 'worker' })
    const { jobs } = await admin.enqueueBatch([
      { type: 'stuck', timeoutMs: 300, maxAttempts: 2, backoff: { type: 'fixed', delayMs: 0 } },
      { type: 'polite', timeoutMs: 300, maxAttempts: 1 },
      { type: 'result', payload: { kind: 'ok' } },
    ])
    const [stuck, polite, after] = jobs.map((j) => j.id) as [string, string, string]

    // One slot: the jobs after the first timeout run only if its never-ending thread gave the slot back.
    const { code, log } = await runWorker(['--server', url, '--key', key, '--once-idle', '--wait-ms', '500', '--lease-ms', '1500', '--concurrency', '1'], FIXTURE)
      .exited
    expect(code, log).toBe(0)

    const timedOut = { status: 'failed', lastError: { name: 'TimeoutError', message: 'handler did not finish within timeoutMs (300 ms)' } }
    // Retryable: both attempts ran, each ended by its timeout.
    const stuckJob = (await admin.getJob(stuck)).job
    expect(stuckJob, log).toMatchObject({ ...timedOut, attempts: 2 })
    expect(stuckJob.attemptLog?.map((a) => a.outcome)).toEqual(['timeout', 'timeout'])
    expect((await admin.getJob(polite)).job).toMatchObject({ ...timedOut, attempts: 1 })
    expect(log).toContain('polite handler stopped: job ran past its timeoutMs')
    expect(log).toContain('left to finish on its own')
    expect((await admin.getJob(after)).job).toMatchObject({ status: 'completed', result: { echo: { kind: 'ok' } } })
  })

  it.skipIf(!hasPython)('fails an attempt at once, without retries, when the handler’s result is not JSON or the server refuses it', async () => {
    const { admin, url } = await startTestServer({ bodyLimit: 16 * 1024 })
    const { key } = await admin.createKey({ name: 'python worker', role: 'worker' })
    const kinds = ['set', 'nan', 'infinity', 'cycle', 'large', 'ok'] as const
    const { jobs } = await admin.enqueueBatch(kinds.map((kind) => ({ type: 'result', payload: { kind, size: 64 * 1024 }, maxAttempts: 3 })))

    const { code, log } = await runWorker(['--server', url, '--key', key, '--once-idle', '--wait-ms', '500', '--lease-ms', '1500'], FIXTURE).exited
    expect(code, log).toBe(0)

    const [set, nan, infinity, cycle, large, ok] = await Promise.all(jobs.map(async (j) => (await admin.getJob(j.id)).job))
    for (const [job, message] of [
      [set, "the handler's result is not JSON: Object of type set is not JSON serializable"],
      [nan, "the handler's result is not JSON: Out of range float values are not JSON compliant"],
      [infinity, "the handler's result is not JSON: Out of range float values are not JSON compliant"],
      [cycle, "the handler's result is not JSON: Circular reference detected"],
    ] as const) {
      expect(job, log).toMatchObject({ status: 'failed', attempts: 1, lastError: { name: 'PermanentError', message } })
    }
    expect(large, log).toMatchObject({ status: 'failed', attempts: 1, lastError: { name: 'PermanentError' } })
    expect(large!.lastError!.message).toMatch(/^the server refused the handler's result \(413\): /)
    expect(ok).toMatchObject({ status: 'completed', result: { echo: { kind: 'ok', size: 64 * 1024 } } })
  })

  it.skipIf(!hasPython)('fails the attempt and frees the slot when a handler raises SystemExit, KeyboardInterrupt or another BaseException, and keeps working', async () => {
    const { admin, url } = await startTestServer()
    const { key } = await admin.createKey({ name: 'python worker', role: 'worker' })
    const { jobs } = await admin.enqueueBatch([
      ...(['exit', 'interrupt', 'abort'] as const).map((kind) => ({ type: 'raises', payload: { kind }, maxAttempts: 1 })),
      { type: 'result', payload: { kind: 'ok' } },
    ])

    // One slot: the later jobs run only if each raising one gave it back.
    const { code, log } = await runWorker(['--server', url, '--key', key, '--once-idle', '--wait-ms', '500', '--lease-ms', '1500', '--concurrency', '1'], FIXTURE)
      .exited
    expect(code, log).toBe(0)

    const [exit, interrupt, abort, ok] = await Promise.all(jobs.map(async (j) => (await admin.getJob(j.id)).job))
    expect(exit, log).toMatchObject({ status: 'failed', attempts: 1, lastError: { name: 'SystemExit', message: 'the handler raised SystemExit: 3' } })
    expect(interrupt).toMatchObject({ status: 'failed', lastError: { name: 'KeyboardInterrupt', message: 'the handler raised KeyboardInterrupt' } })
    expect(abort).toMatchObject({ status: 'failed', lastError: { name: 'Abort', message: 'the handler raised Abort: stop everything' } })
    // Failed by the worker, not reaped as a lost lease.
    for (const job of [exit, interrupt, abort]) expect(job!.attemptLog?.[0]?.outcome).toBe('failed')
    expect(ok).toMatchObject({ status: 'completed' })
  })

  it.skipIf(!hasPython)('exits with status 2 when the server refuses its key', async () => {
    const { url } = await startTestServer()
    const { code, log } = await runWorker(['--server', url, '--key', 'cv_not_a_key', '--once-idle', '--wait-ms', '0']).exited
    expect(code, log).toBe(2)
    expect(log).toContain('refused this worker key')
  })
})
