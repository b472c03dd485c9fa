import type { Job, JobEvent } from '@conveyor/client'
import { describe, expect, it } from 'vitest'
import { EMPTY_FORM, toEnqueue } from '../src/lib/enqueue-form.ts'
import { CSV_COLUMNS, csvField, jobsToCsv, jobsToJson } from '../src/lib/export.ts'
import { eventMatches, isFiltered, readFilter, toBulkFilter, toListQuery, writeFilter } from '../src/lib/filters.ts'
import { formatAbsolute, formatDuration, formatPercent, formatRelative, fromDatetimeLocal, jobDurationMs, toDatetimeLocal } from '../src/lib/format.ts'
import { applyEvents, latestById } from '../src/lib/live-apply.ts'
import { queueHealth, staleness } from '../src/lib/queue-health.ts'
import { fillSeries } from '../src/lib/series.ts'
import { isTyping } from '../src/lib/typing.ts'

const T0 = Date.parse('2026-02-16T12:00:00.000Z')
const iso = (ms: number) => new Date(ms).toISOString()

function job(over: Partial<Job> = {}): Job {
  return {
    id: '01a20752-741c-70cb-bb95-1c47ea9e3496',
    queue: 'default',
    type: 'scan',
    name: null,
    payload: { url: 'https://a' },
    status: 'pending',
    priority: 0,
    runAt: iso(T0),
    attempts: 0,
    maxAttempts: 3,
    timeoutMs: null,
    backoff: null,
    idempotencyKey: null,
    owner: null,
    source: 'api',
    metadata: {},
    progress: 0,
    progressMessage: null,
    result: null,
    lastError: null,
    lockedBy: null,
    lockedAt: null,
    leaseExpiresAt: null,
    cancelRequested: false,
    createdAt: iso(T0),
    startedAt: null,
    completedAt: null,
    updatedAt: iso(T0),
    ...over,
  }
}

function event(over: Partial<JobEvent> = {}): JobEvent {
  return { id: job().id, status: 'running', queue: 'default', type: 'scan', owner: null, progress: 0, progressMessage: null, updatedAt: iso(T0 + 1000), ...over }
}

describe('filters in the URL', () => {
  it('reads what it writes, leaving defaults out so equal filters give equal URLs', () => {
    const p = new URLSearchParams('status=failed,claimed,bogus,failed&queue=slow&q=%20invoice%20&sort=oldest&owner=')
    const f = readFilter(p)
    expect(f).toEqual({ status: ['failed', 'running'], queue: 'slow', q: 'invoice', sort: 'oldest' })
    expect(writeFilter(f).toString()).toBe('status=running%2Cfailed&queue=slow&q=invoice&sort=oldest')
    expect(readFilter(writeFilter(f))).toEqual({ ...f, status: ['running', 'failed'] })
    expect(writeFilter(readFilter(new URLSearchParams('sort=nonsense'))).toString()).toBe('')
    expect(writeFilter(f, { cursor: 'abc', page: 3 }).toString()).toContain('cursor=abc&page=3')
    expect(isFiltered(readFilter(new URLSearchParams('sort=oldest')))).toBe(false)
    expect(isFiltered(f)).toBe(true)
  })

  it('turns a filter into the list query and into the bulk filter of "all matching"', () => {
    const f = readFilter(new URLSearchParams('status=failed&type=scan&createdAfter=2026-02-16T00:00:00.000Z'))
    expect(toListQuery(f, { cursor: 'c1', limit: 50 })).toEqual({
      status: ['failed'],
      type: 'scan',
      createdAfter: '2026-02-16T00:00:00.000Z',
      sort: 'newest',
      limit: 50,
      cursor: 'c1',
    })
    expect(toBulkFilter(f)).toEqual({ status: ['failed'], type: 'scan', createdAfter: '2026-02-16T00:00:00.000Z' })
    expect(toBulkFilter(readFilter(new URLSearchParams()))).toEqual({})
  })

  it('judges an event by the filters an event can answer', () => {
    const f = readFilter(new URLSearchParams('status=pending&queue=default&owner=u1&q=anything'))
    expect(eventMatches(f, event({ status: 'pending', owner: 'u1' }))).toBe(true)
    expect(eventMatches(f, event({ status: 'running', owner: 'u1' }))).toBe(false)
    expect(eventMatches(f, event({ status: 'pending', owner: 'u2' }))).toBe(false)
    expect(eventMatches(f, event({ status: 'pending', owner: 'u1', queue: 'slow' }))).toBe(false)
  })
})

describe('formatting', () => {
  it('says durations, relative times, absolute times and percentages for people', () => {
    expect([850, 4_321, 42_100, 245_000, 7_380_000, 2 * 86_400_000 + 3_600_000, null].map(formatDuration)).toEqual([
      '850 ms',
      '4.32 s',
      '42.1 s',
      '4 m 05 s',
      '2 h 03 m',
      '2 d 1 h',
      '—',
    ])
    expect(formatRelative(iso(T0 - 2000), T0)).toBe('just now')
    expect(formatRelative(iso(T0 - 42_000), T0)).toBe('42 s ago')
    expect(formatRelative(iso(T0 - 5 * 60_000), T0)).toBe('5 min ago')
    expect(formatRelative(iso(T0 + 3 * 3_600_000), T0)).toBe('in 3 h')
    expect(formatRelative(null, T0)).toBe('—')
    expect(formatAbsolute('2026-02-16T12:00:05.000Z', 'UTC')).toBe('2026-02-16 12:00:05 UTC')
    expect(formatPercent(1, 8)).toBe('13%')
    expect(formatPercent(1, 200)).toBe('0.5%')
    expect(formatPercent(0, 0)).toBe('—')
  })

  it('reads and writes datetime-local values in the chosen zone', () => {
    expect(toDatetimeLocal('2026-02-16T12:30:00.000Z', 'UTC')).toBe('2026-02-16T12:30')
    expect(fromDatetimeLocal('2026-02-16T12:30', 'UTC')).toBe('2026-02-16T12:30:00.000Z')
    const local = toDatetimeLocal('2026-02-16T12:30:00.000Z', 'local')
    expect(fromDatetimeLocal(local, 'local')).toBe('2026-02-16T12:30:00.000Z')
    expect(fromDatetimeLocal('', 'UTC')).toBeUndefined()
    expect(fromDatetimeLocal('yesterday', 'UTC')).toBeUndefined()
  })

  it('measures a job from start to finish, or to now while it runs', () => {
    expect(jobDurationMs(job({ startedAt: iso(T0), completedAt: iso(T0 + 1500), status: 'completed' }), T0 + 9999)).toBe(1500)
    expect(jobDurationMs(job({ startedAt: iso(T0), status: 'running' }), T0 + 2500)).toBe(2500)
    expect(jobDurationMs(job(), T0)).toBeNull()
  })
})

describe('export', () => {
  it('quotes CSV fields and defuses spreadsheet formulas in job data', () => {
    expect(csvField('plain')).toBe('plain')
    expect(csvField('a,b')).toBe('"a,b"')
    expect(csvField('say "hi"\nbye')).toBe('"say ""hi""\nbye"')
    expect(csvField('=HYPERLINK("http://evil")')).toBe(`"'=HYPERLINK(""http://evil"")"`)
    expect(csvField('-2+3')).toBe("'-2+3")
    expect(csvField('@SUM(A1)')).toBe("'@SUM(A1)")
  })

  it('writes one line per job with every column, and JSON with the filter', () => {
    const j = job({ name: 'x, "y"', payload: { a: 1 }, lastError: { name: 'Error', message: 'boom', at: iso(T0) } })
    const lines = jobsToCsv([j, job({ id: '01a20752-741c-70cb-bb95-1c47ea9e3497' })]).trimEnd().split('\r\n')
    expect(lines).toHaveLength(3)
    expect(lines[0]).toBe(CSV_COLUMNS.join(','))
    expect(lines[1]).toContain('"x, ""y"""')
    expect(lines[1]).toContain('Error: boom')
    expect(lines[1]).toContain('"{""a"":1}"')
    const doc = JSON.parse(jobsToJson([j], { status: 'failed' }, new Date(T0)))
    expect(doc).toMatchObject({ exportedAt: iso(T0), filter: { status: 'failed' }, count: 1, jobs: [{ id: j.id, name: 'x, "y"' }] })
  })
})

describe('live updates', () => {
  it('changes status and progress of the rows shown, in place, and never goes back in time', () => {
    const a = job()
    const b = job({ id: '01a20752-741c-70cb-bb95-1c47ea9e3497', status: 'running', progress: 10, updatedAt: iso(T0 + 5000) })
    const rows = [a, b]
    const batch = latestById([
      event({ id: a.id, status: 'running', updatedAt: iso(T0 + 1000) }),
      event({ id: a.id, status: 'running', progress: 40, progressMessage: 'half', updatedAt: iso(T0 + 2000) }),
      event({ id: b.id, status: 'pending', updatedAt: iso(T0 + 4000) }), // older than the row: ignored
      event({ id: '01a20752-741c-70cb-bb95-1c47ea9e3498', status: 'pending' }), // not shown: not added
    ])
    const { jobs, statusChanged } = applyEvents(rows, batch)
    expect(jobs.map((j) => [j.id, j.status, j.progress, j.progressMessage])).toEqual([
      [a.id, 'running', 40, 'half'],
      [b.id, 'running', 10, null],
    ])
    expect(jobs[1]).toBe(b)
    expect(statusChanged).toEqual([a.id])
    expect(applyEvents(rows, new Map()).jobs).toBe(rows)
  })
})

describe('queue health', () => {
  it('warns when a queue has pending jobs and no live worker serves it, unless it is paused', () => {
    const now = T0
    const q = (name: string, pending: number, paused = false) => ({
      name,
      paused,
      pending,
      running: 0,
      completed: 3,
      failed: 1,
      cancelled: 0,
      oldestPendingAt: pending ? iso(T0 - 60_000) : null,
    })
    const workers = [
      { queues: ['default'], lastSeenAt: iso(now - 5000) },
      { queues: ['slow'], lastSeenAt: iso(now - 120_000) },
    ]
    const rows = queueHealth([q('default', 4), q('slow', 2), q('held', 9, true), q('idle', 0)], workers, now)
    expect(rows.map((r) => [r.name, r.liveWorkers, r.warning])).toEqual([
      ['default', 1, null],
      ['slow', 0, '2 pending and no live worker'],
      ['held', 0, null],
      ['idle', 0, null],
    ])
    expect([5000, 30_000, 90_000].map((age) => staleness(iso(now - age), now))).toEqual(['live', 'late', 'stale'])
  })
})

describe('the chart series', () => {
  it('fills every step of the window with zeros where nothing happened', () => {
    const step = 60_000
    const now = T0 + 30_000
    const s = fillSeries([{ at: iso(T0 - 2 * step), completed: 5, failed: 1, enqueued: 7 }], 10 * step, step, now)
    expect(s).toHaveLength(10)
    expect(s.at(-1)!.at).toBe(T0)
    expect(s[0]!.at).toBe(T0 - 9 * step)
    expect(s.filter((p) => p.completed > 0)).toEqual([{ at: T0 - 2 * step, completed: 5, failed: 1, enqueued: 7 }])
  })
})

describe('the enqueue form', () => {
  it('turns the typed fields into enqueue options', () => {
    const { options, errors } = toEnqueue({
      ...EMPTY_FORM,
      type: ' scan ',
      payload: '{"url":"https://a"}',
      priority: '5',
      delaySeconds: '1.5',
      timeoutSeconds: '30',
      metadata: '{"project":"p1"}',
    })
    expect(errors).toEqual({})
    expect(options).toEqual({ type: 'scan', payload: { url: 'https://a' }, priority: 5, delayMs: 1500, timeoutMs: 30_000, metadata: { project: 'p1' } })
  })

  it('names each bad field and gives no options', () => {
    const { options, errors } = toEnqueue({ ...EMPTY_FORM, payload: '{oops', maxAttempts: '0', metadata: '[1]' })
    expect(options).toBeUndefined()
    expect(Object.keys(errors).sort()).toEqual(['maxAttempts', 'metadata', 'payload', 'type'])
  })
})

describe('shortcuts', () => {
  it('leave text fields alone but not checkboxes or buttons', () => {
    expect(isTyping({ tagName: 'INPUT', type: 'search' } as unknown as EventTarget)).toBe(true)
    expect(isTyping({ tagName: 'TEXTAREA' } as unknown as EventTarget)).toBe(true)
    expect(isTyping({ tagName: 'INPUT', type: 'checkbox' } as unknown as EventTarget)).toBe(false)
    expect(isTyping({ tagName: 'BUTTON' } as unknown as EventTarget)).toBe(false)
    expect(isTyping(null)).toBe(false)
  })
})
