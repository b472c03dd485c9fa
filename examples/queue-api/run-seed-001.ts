/**
 * Runs every call of seed 001's "Worker Queue API" document against a running Conveyor and checks each
 * answer's shape as the document shows it: one line per call, exit code 1 on any mismatch.
 *
 *   node --import tsx examples/queue-api/run-seed-001.ts --url http://127.0.0.1:3000 --key KEY
 *
 * (or CONVEYOR_URL and CONVEYOR_KEY). The key must be an admin key: the script also plays a worker for
 * one job, so that one is `claimed` while it lists them. A worker running ./handler.ts must be up (the
 * enqueued jobs have to complete, and one to fail). Like the document's last call, the script purges
 * every completed job: run it against a Conveyor you can spare that for.
 */
import { randomBytes } from 'node:crypto'
import { pathToFileURL } from 'node:url'
import { parseArgs } from 'node:util'
import { type FieldSpec, Problems } from './src/shape.ts'

export interface SeedRunOptions {
  /** The Conveyor server, e.g. http://127.0.0.1:3000. */
  url: string
  /** An admin key (sent as `Authorization: Bearer …`, the only change to the document's calls). */
  key: string
  /** How long to wait for the worker to finish the jobs. Default 60 s. */
  timeoutMs?: number
  /** Where each call's line goes. Default: stdout. */
  print?: (line: string) => void
}

export interface CallReport {
  call: string
  status: number | null
  problems: string[]
  notes: string[]
}

export interface SeedRunReport {
  calls: CallReport[]
  /** The calls whose answers differ from the document. */
  failed: CallReport[]
  ok: boolean
  /** The last answer seen for each job the run enqueued, by its role. */
  jobs: Record<string, Record<string, any>>
}

// The fields of a job in each answer, as the document shows them.
const ENQUEUED_JOB: Record<string, FieldSpec> = { id: 'uuid', name: 'string|null', status: 'string', createdAt: 'time' }
const LISTED_JOB: Record<string, FieldSpec> = {
  id: 'uuid',
  type: 'string',
  status: 'string',
  payload: 'object',
  priority: 'integer',
  attempts: 'integer',
  maxAttempts: 'integer',
  lastError: 'object|null',
  lockedBy: 'string|null',
  lockedAt: 'time|null',
  createdAt: 'time',
  claimedAt: 'time|null',
  completedAt: 'time|null',
  idempotencyKey: 'string|null',
}
const SINGLE_JOB: Record<string, FieldSpec> = {
  id: 'uuid',
  type: 'string',
  status: 'string',
  payload: 'object',
  attempts: 'integer',
  lockedBy: 'string|null',
  lockedAt: 'time|null',
  createdAt: 'time',
  claimedAt: 'time|null',
  completedAt: 'time|null',
  lastError: 'object|null',
}
const STATS: Record<string, FieldSpec> = { pending: 'integer', claimed: 'integer', completed: 'integer', failed: 'integer', total: 'integer' }

/** The document's statuses, as Conveyor shows them in a job (the filters and stats take `claimed` as it is). */
const AS_SHOWN = { pending: 'pending', claimed: 'running', completed: 'completed', failed: 'failed' } as const
type SeedStatus = keyof typeof AS_SHOWN

/** A job id that exists nowhere (the document's example id). */
const UNKNOWN_ID = '550e8400-e29b-41d4-a716-446655440000'

class StopRun extends Error {}

/**
 * Runs the document's calls in its order: enqueue (with prompt and branch; with every field and an
 * idempotency key, twice), list (all, by each status, a page), stats, get, retry, delete, purge.
 * Resolves with a report; never throws for a mismatch.
 */
export async function runSeed001(options: SeedRunOptions): Promise<SeedRunReport> {
  const print = options.print ?? ((line: string) => console.log(line))
  const base = options.url.replace(/\/+$/, '')
  const API = `${base}/api/jobs`
  const timeoutMs = options.timeoutMs ?? 60_000
  const run = randomBytes(4).toString('hex')
  const workerId = `worker-${run}-${Date.now()}`
  const probeQueue = `seed-001-probe-${run}`
  const calls: CallReport[] = []
  const jobs: Record<string, Record<string, any>> = {}
  const noted = new Set<string>()

  async function http(method: string, url: string, body?: unknown): Promise<{ status: number; body: any }> {
    const res = await fetch(url, {
      method,
      headers: { authorization: `Bearer ${options.key}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    })
    const text = await res.text()
    let parsed: unknown = text
    try {
      parsed = text ? JSON.parse(text) : null
    } catch {
      // Not JSON: kept as text, and the shape checks say so.
    }
    return { status: res.status, body: parsed }
  }

  /** One call of the document: its checks, its line. A thrown error (a missing id, no answer) ends the run. */
  async function call<T>(label: string, fn: (p: Problems, note: (text: string) => void, answered: (status: number) => void) => Promise<T>): Promise<T> {
    const p = new Problems()
    const report: CallReport = { call: label, status: null, problems: p.list, notes: [] }
    calls.push(report)
    const note = (text: string) => {
      // Each difference the document's readers should know of is told once.
      if (!noted.has(text)) report.notes.push(text)
      noted.add(text)
    }
    try {
      return await fn(p, note, (status) => (report.status = status))
    } catch (err) {
      p.list.push(err instanceof Error ? err.message : String(err))
      throw new StopRun(label)
    } finally {
      print(`${p.list.length === 0 ? '✓' : '✗'} ${label}${report.status === null ? '' : ` → ${report.status}`}`)
      for (const problem of p.list) print(`    ✗ ${problem}`)
      for (const n of report.notes) print(`    ~ ${n}`)
    }
  }

  /** POST /api/jobs/enqueue with a document body; checks the answer; returns the job. */
  const enqueue = (label: string, body: Record<string, unknown>, expectStatus = 201) =>
    call(`POST /api/jobs/enqueue ${label}`, async (p, note, answered) => {
      const res = await http('POST', `${API}/enqueue`, body)
      answered(res.status)
      p.equal(res.status, expectStatus, 'status')
      p.equal(res.body?.success, true, 'success')
      p.fields(res.body?.job, ENQUEUED_JOB, 'job')
      if (res.body?.job?.name === null) note('no name was given, and Conveyor makes none up from the prompt: job.name is null')
      return res.body.job as Record<string, any>
    })

  const checkList = (p: Problems, body: any, note: (text: string) => void) => {
    p.fields(body, { jobs: 'array', count: 'integer' }, 'answer')
    for (const [i, job] of (Array.isArray(body?.jobs) ? body.jobs : []).entries()) p.fields(job, LISTED_JOB, `jobs[${i}]`)
    if ((body?.jobs ?? []).some((j: any) => j?.lastError !== null && typeof j?.lastError === 'object'))
      note('lastError is an object { message, name, at }, not a string: show lastError.message')
    note("lists are newest first; add sort=queue for the document's order (priority, then oldest first)")
  }

  const list = (query: string, check?: (p: Problems, body: any) => void) =>
    call(`GET /api/jobs${query}`, async (p, note, answered) => {
      const res = await http('GET', `${API}${query}`)
      answered(res.status)
      p.equal(res.status, 200, 'status')
      checkList(p, res.body, note)
      check?.(p, res.body)
      return res.body as { jobs: Record<string, any>[]; count: number }
    })

  const byStatus = (status: SeedStatus, mustInclude: Record<string, any>[], query = '', check?: (p: Problems, listed: Record<string, any>[]) => void) =>
    list(`?status=${status}${query}`, (p, body) => {
      const listed: Record<string, any>[] = body?.jobs ?? []
      for (const job of listed) p.equal(job.status, AS_SHOWN[status], `status of job ${job.id}`)
      for (const job of mustInclude) p.expect(listed.some((j) => j.id === job.id), `job ${job.id} is not listed`)
      check?.(p, listed)
    })

  const get = (role: string, id: string, check: (p: Problems, job: any) => void) =>
    call(`GET /api/jobs/:id (${role})`, async (p, _note, answered) => {
      const res = await http('GET', `${API}/${id}`)
      answered(res.status)
      p.equal(res.status, 200, 'status')
      p.fields(res.body?.job, SINGLE_JOB, 'job')
      check(p, res.body?.job ?? {})
      jobs[role] = res.body?.job
      return res.body?.job as Record<string, any>
    })

  const gone = (role: string, id: string) =>
    call(`GET /api/jobs/:id (${role}, gone)`, async (p, _note, answered) => {
      const res = await http('GET', `${API}/${id}`)
      answered(res.status)
      p.equal(res.status, 404, 'status')
    })

  /** Polls GET /api/jobs/:id until each job has ended as expected (as the seed's clients check "later"). */
  const untilEnded = (expected: Record<string, { id: string; status: 'completed' | 'failed' }>) =>
    call(`GET /api/jobs/:id, polled until ${Object.entries(expected).map(([role, e]) => `${role} ${e.status}`).join(', ')}`, async (p, _note, answered) => {
      const deadline = Date.now() + timeoutMs
      const waiting = new Map(Object.entries(expected))
      let polls = 0
      while (waiting.size > 0) {
        for (const [role, { id, status }] of waiting) {
          const res = await http('GET', `${API}/${id}`)
          polls++
          answered(res.status)
          if (res.status !== 200) throw new Error(`GET /api/jobs/${id} (${role}) answered ${res.status}`)
          const job = res.body.job
          jobs[role] = job
          if (job.status === 'completed' || job.status === 'failed' || job.status === 'cancelled') {
            p.equal(job.status, status, `${role}'s status (lastError: ${job.lastError?.message ?? 'none'})`)
            waiting.delete(role)
          }
        }
        if (waiting.size === 0) break
        if (Date.now() > deadline)
          throw new Error(`still not ended after ${timeoutMs} ms: ${[...waiting.keys()].join(', ')} (is a worker running examples/queue-api/handler.ts?)`)
        await new Promise((r) => setTimeout(r, 200))
      }
      return polls
    })

  try {
    // POST /api/jobs/enqueue: the document's body, then every documented field, then the same key again.
    const enqueued = await enqueue('{ prompt, branch }', { prompt: 'Add a dark mode toggle to the navbar.', branch: 'feat/dark-mode' })
    const key = `enqueue-${run}-${Date.now()}`
    const named = await enqueue('{ prompt, name, originUrl, idempotencyKey }', {
      prompt: 'Extract the login form component',
      name: `extract-the-login-form-component-${run}`,
      originUrl: 'https://github.com/acme/web',
      idempotencyKey: key,
    })
    await call('POST /api/jobs/enqueue (the same idempotencyKey again)', async (p, _note, answered) => {
      const res = await http('POST', `${API}/enqueue`, { prompt: 'Extract the login form component', idempotencyKey: key })
      answered(res.status)
      p.equal(res.status, 200, 'status')
      p.equal(res.body?.success, true, 'success')
      p.equal(res.body?.job?.id, named.id, 'job.id (the first job with this key)')
      p.equal(res.body?.duplicate, true, 'duplicate')
    })
    // One the worker refuses (git rejects the branch name), so that there is a failed job to list and retry.
    const failing = await enqueue('{ prompt, branch: "bad..branch" }', { prompt: 'This one fails: the branch name is invalid.', branch: 'bad..branch' })
    // One that waits an hour, so "Up next" has a job that stays pending (and "Remove" has one to delete).
    const waiting = await enqueue('{ prompt, delayMs } (up next)', { prompt: 'Later: runs in an hour.', delayMs: 3_600_000 })
    // One this script claims itself, as a worker would, so that a job is `claimed` while the lists are read.
    const probe = await enqueue(`{ prompt, queue } (claimed below)`, { prompt: 'Held by this script as a worker.', queue: probeQueue })
    await call('POST /api/workers/claim (this script as the worker of the claimed job)', async (p, _note, answered) => {
      const res = await http('POST', `${base}/api/workers/claim`, { workerId, queues: [probeQueue], limit: 1 })
      answered(res.status)
      p.equal(res.status, 200, 'status (the key must be an admin or worker key)')
      p.equal(res.body?.jobs?.map((j: { id: string }) => j.id), [probe.id], 'claimed ids')
    })

    await untilEnded({ enqueued: { id: enqueued.id, status: 'completed' }, named: { id: named.id, status: 'completed' }, failing: { id: failing.id, status: 'failed' } })

    // GET /api/jobs: all, each status, the dashboard's "limit=20" lists, a page.
    const all = await list('')
    await byStatus('claimed', [probe], '', (p, listed) => {
      const held = listed.find((j) => j.id === probe.id)
      p.equal(held?.lockedBy, workerId, "the claimed job's lockedBy")
      p.fields(held, { lockedAt: 'time', claimedAt: 'time' }, 'the claimed job')
    })
    await byStatus('pending', [waiting])
    await byStatus('completed', [enqueued, named])
    await byStatus('failed', [failing])
    await byStatus('completed', [], '&limit=20')
    await byStatus('failed', [], '&limit=20')
    await list('?type=default', (p, body) => {
      for (const job of body?.jobs ?? []) p.equal(job.type, 'default', `type of job ${job.id}`)
    })
    await list('?limit=10&offset=20', (p, body) => {
      const expected = Math.max(0, Math.min(10, (body?.count ?? 0) - 20))
      p.equal(body?.jobs?.length, expected, `jobs on the page of limit=10, offset=20 when count is ${body?.count}`)
    })
    const first = await list('?limit=2&offset=0', (p, body) => p.equal(body?.jobs?.length, Math.min(2, all.count), 'jobs on the page'))
    await list('?limit=2&offset=1', (p, body) => p.equal(body?.jobs?.[0]?.id, first.jobs[1]?.id, "the second page's first job (the first page's second)"))

    // GET /api/jobs/stats
    await call('GET /api/jobs/stats', async (p, _note, answered) => {
      const res = await http('GET', `${API}/stats`)
      answered(res.status)
      p.equal(res.status, 200, 'status')
      p.fields(res.body?.stats, STATS, 'stats')
      const s = res.body?.stats ?? {}
      p.expect(s.claimed >= 1 && s.completed >= 2 && s.failed >= 1 && s.pending >= 1, `stats should count this run's jobs: ${JSON.stringify(s)}`)
      p.expect(s.total >= s.pending + s.claimed + s.completed + s.failed, `total ${s.total} is less than its parts`)
    })

    // GET /api/jobs/:id
    await get('claimed', probe.id, (p, job) => {
      p.equal(job.status, AS_SHOWN.claimed, 'status')
      p.equal(job.attempts, 1, 'attempts')
      p.equal(job.lockedBy, workerId, 'lockedBy')
      p.fields(job, { lockedAt: 'time', claimedAt: 'time', completedAt: 'null', lastError: 'null' }, 'job')
    })
    await get('enqueued', enqueued.id, (p, job) => {
      p.equal(job.status, 'completed', 'status')
      p.equal(job.payload, { prompt: 'Add a dark mode toggle to the navbar.', branch: 'feat/dark-mode' }, 'payload')
      p.fields(job, { completedAt: 'time', lastError: 'null' }, 'job')
    })
    await get('failing', failing.id, (p, job) => {
      p.equal(job.status, 'failed', 'status')
      p.fields(job.lastError, { message: 'string' }, 'lastError')
    })
    await gone('unknown', UNKNOWN_ID)

    // POST /api/jobs/:id/retry: a failed job and a completed one, back to pending with attempts 0.
    for (const [role, job] of [['failing', failing], ['enqueued', enqueued]] as const) {
      await call(`POST /api/jobs/:id/retry (${role}, ${jobs[role]?.status})`, async (p, _note, answered) => {
        const res = await http('POST', `${API}/${job.id}/retry`)
        answered(res.status)
        p.equal(res.status, 200, 'status')
        p.equal(res.body?.success, true, 'success')
        p.equal([res.body?.job?.id, res.body?.job?.status, res.body?.job?.attempts], [job.id, 'pending', 0], '[job.id, job.status, job.attempts]')
      })
    }

    // DELETE /api/jobs/:id: the dashboard's "Remove" of a pending job.
    await call('DELETE /api/jobs/:id (up next)', async (p, _note, answered) => {
      const res = await http('DELETE', `${API}/${waiting.id}`)
      answered(res.status)
      p.equal(res.status, 200, 'status')
      p.equal(res.body, { success: true, deleted: waiting.id }, 'answer')
    })
    await gone('up next', waiting.id)

    // The claimed job's worker (this script) finishes it; the retried jobs run again.
    await call('POST /api/jobs/:id/complete (this script as the worker of the claimed job)', async (p, _note, answered) => {
      const res = await http('POST', `${API}/${probe.id}/complete`, { workerId, result: { ok: true } })
      answered(res.status)
      p.equal(res.status, 200, 'status')
      p.equal(res.body?.job?.status, 'completed', 'job.status')
    })
    await untilEnded({ enqueued: { id: enqueued.id, status: 'completed' }, failing: { id: failing.id, status: 'failed' } })

    // DELETE /api/jobs: purge the completed jobs (and only those).
    await call('DELETE /api/jobs', async (p, _note, answered) => {
      const res = await http('DELETE', API)
      answered(res.status)
      p.equal(res.status, 200, 'status')
      p.equal(res.body?.success, true, 'success')
      p.expect(Number.isInteger(res.body?.purged) && res.body.purged >= 3, `purged should count at least this run's 3 completed jobs, is ${res.body?.purged}`)
    })
    for (const [role, job] of [['enqueued', enqueued], ['named', named], ['claimed', probe]] as const) await gone(role, job.id)
    await get('failing', failing.id, (p, job) => p.equal(job.status, 'failed', 'status (a failed job is not purged)'))
  } catch (err) {
    if (!(err instanceof StopRun)) throw err
    print('stopped: the calls after this one need its answer')
  }

  const failed = calls.filter((c) => c.problems.length > 0)
  print(failed.length === 0 ? `all ${calls.length} calls answered as the document shows` : `${failed.length} of ${calls.length} calls differ from the document`)
  return { calls, failed, ok: failed.length === 0, jobs }
}

// The command: run-seed-001.ts --url URL --key KEY
if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const { values } = parseArgs({
    options: { url: { type: 'string' }, key: { type: 'string' }, 'timeout-ms': { type: 'string' } },
  })
  const url = values.url ?? process.env.CONVEYOR_URL ?? 'http://127.0.0.1:3000'
  const key = values.key ?? process.env.CONVEYOR_KEY
  if (!key) {
    console.error('usage: run-seed-001.ts --url http://127.0.0.1:3000 --key ADMIN_KEY (or CONVEYOR_URL, CONVEYOR_KEY)')
    process.exit(2)
  }
  const report = await runSeed001({ url, key, timeoutMs: Number(values['timeout-ms'] ?? 60_000) })
  process.exitCode = report.ok ? 0 : 1
}
