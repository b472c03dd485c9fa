import { connect } from 'node:net'
import { describe, expect, it } from 'vitest'
import { admin, openApp, startTestServer } from './helpers.ts'

/** Each case: the request, and the field its 400 must name. Nothing may be written by any of them. */
const BAD_BODIES: { name: string; url: string; payload: unknown; field: string }[] = [
  { name: 'missing type', url: '/api/jobs', payload: { payload: {} }, field: 'type' },
  { name: 'a NUL in the type', url: '/api/jobs', payload: { type: 'a\u0000' }, field: 'type' },
  { name: 'a lone surrogate in the owner', url: '/api/jobs', payload: { type: 'a', owner: 'u\ud83d' }, field: 'owner' },
  { name: 'token: a NUL in the owner', url: '/api/tokens', payload: { owner: 'a\u0000b' }, field: 'owner' },
  { name: 'schedule: a lone surrogate in the name', url: '/api/schedules', payload: { name: 'n\udc00', cron: '* * * * *', type: 't' }, field: 'name' },
  { name: 'empty type', url: '/api/jobs', payload: { type: '' }, field: 'type' },
  { name: 'type too long', url: '/api/jobs', payload: { type: 'x'.repeat(129) }, field: 'type' },
  { name: 'unknown field', url: '/api/jobs', payload: { type: 'a', prioritee: 1 }, field: 'prioritee' },
  { name: 'priority not an integer', url: '/api/jobs', payload: { type: 'a', priority: 1.5 }, field: 'priority' },
  { name: 'priority out of range', url: '/api/jobs', payload: { type: 'a', priority: 10_000_000 }, field: 'priority' },
  { name: 'maxAttempts 0', url: '/api/jobs', payload: { type: 'a', maxAttempts: 0 }, field: 'maxAttempts' },
  { name: 'runAt not a date', url: '/api/jobs', payload: { type: 'a', runAt: 'tomorrow' }, field: 'runAt' },
  { name: 'runAt and delayMs', url: '/api/jobs', payload: { type: 'a', runAt: '2030-01-01T00:00:00Z', delayMs: 5 }, field: 'delayMs' },
  { name: 'bad backoff', url: '/api/jobs', payload: { type: 'a', backoff: { type: 'linear', delayMs: 5 } }, field: 'backoff.type' },
  { name: 'metadata not an object', url: '/api/jobs', payload: { type: 'a', metadata: [1] }, field: 'metadata' },
  { name: 'body not an object', url: '/api/jobs', payload: [1, 2], field: '' },
  { name: 'alias: a payload but no type', url: '/api/jobs/enqueue', payload: { payload: { prompt: 'x' } }, field: 'type' },
  { name: 'alias: seed 001 body with a bad option', url: '/api/jobs/enqueue', payload: { prompt: 'x', priority: 'high' }, field: 'priority' },
  { name: 'files not ids', url: '/api/jobs', payload: { type: 'a', files: ['report.csv'] }, field: 'files.0' },
  { name: 'batch: files', url: '/api/jobs/batch', payload: { jobs: [{ type: 'a', files: [] }] }, field: 'jobs.0.files' },
  { name: 'batch: one bad job of three', url: '/api/jobs/batch', payload: { jobs: [{ type: 'a' }, { type: 7 }, { type: 'c' }] }, field: 'jobs.1.type' },
  { name: 'batch: empty', url: '/api/jobs/batch', payload: { jobs: [] }, field: 'jobs' },
  { name: 'batch: over 1000', url: '/api/jobs/batch', payload: { jobs: Array.from({ length: 1001 }, () => ({ type: 'a' })) }, field: 'jobs' },
  { name: 'bulk: neither ids nor filter', url: '/api/jobs/bulk', payload: { action: 'delete' }, field: 'ids' },
  { name: 'bulk: unknown action', url: '/api/jobs/bulk', payload: { action: 'explode', filter: {} }, field: 'action' },
  { name: 'bulk: unknown status in filter', url: '/api/jobs/bulk', payload: { action: 'delete', filter: { status: 'done' } }, field: 'filter.status' },
  { name: 'claim: no workerId', url: '/api/workers/claim', payload: { limit: 1 }, field: 'workerId' },
  { name: 'claim: limit 0', url: '/api/workers/claim', payload: { workerId: 'w', limit: 0 }, field: 'limit' },
  { name: 'claim: waitMs too long', url: '/api/workers/claim', payload: { workerId: 'w', waitMs: 3_600_000 }, field: 'waitMs' },
  { name: 'key: unknown role', url: '/api/keys', payload: { name: 'k', role: 'root' }, field: 'role' },
  { name: 'token: no owner', url: '/api/tokens', payload: { ttlSeconds: 60 }, field: 'owner' },
  { name: 'schedule: no cron', url: '/api/schedules', payload: { name: 's', type: 'a' }, field: 'cron' },
  { name: 'schedule: unknown overlap', url: '/api/schedules', payload: { name: 's', cron: '* * * * *', type: 'a', overlap: 'queue' }, field: 'overlap' },
  { name: 'alert rule: negative threshold', url: '/api/alerts/rules', payload: { name: 'r', kind: 'queue_depth', threshold: -1 }, field: 'threshold' },
  { name: 'alert rule: not a URL', url: '/api/alerts/rules', payload: { name: 'r', kind: 'queue_depth', webhookUrl: 'slack' }, field: 'webhookUrl' },
  { name: 'retry group: no name', url: '/api/metrics/errors/retry', payload: { shape: 'x' }, field: 'name' },
  { name: 'token: ttl too long', url: '/api/tokens', payload: { owner: 'u', ttlSeconds: 10 ** 9 }, field: 'ttlSeconds' },
]

const BAD_QUERIES: { name: string; method: 'GET' | 'DELETE'; url: string; field: string }[] = [
  { name: 'unknown status', method: 'GET', url: '/api/jobs?status=pending,done', field: 'status' },
  { name: 'limit 0', method: 'GET', url: '/api/jobs?limit=0', field: 'limit' },
  { name: 'limit not a number', method: 'GET', url: '/api/jobs?limit=ten', field: 'limit' },
  { name: 'negative offset', method: 'GET', url: '/api/jobs?offset=-1', field: 'offset' },
  { name: 'unknown sort', method: 'GET', url: '/api/jobs?sort=random', field: 'sort' },
  { name: 'bad createdAfter', method: 'GET', url: '/api/jobs?createdAfter=yesterday', field: 'createdAfter' },
  { name: 'createdAfter in year 0', method: 'GET', url: '/api/jobs?createdAfter=0000-01-01T00:00:00Z', field: 'createdAfter' },
  { name: 'search with a NUL', method: 'GET', url: '/api/jobs?q=%00', field: 'q' },
  { name: 'metadata not JSON', method: 'GET', url: '/api/jobs?metadata=project', field: 'metadata' },
  { name: 'cursor not issued here', method: 'GET', url: '/api/jobs?cursor=abc', field: 'cursor' },
  { name: 'unknown parameter', method: 'GET', url: '/api/jobs?stauts=pending', field: 'stauts' },
  { name: 'stats: unknown parameter', method: 'GET', url: '/api/jobs/stats?status=pending', field: 'status' },
  { name: 'purge: running jobs', method: 'DELETE', url: '/api/jobs?status=running', field: 'status' },
  { name: 'audit: before not an id', method: 'GET', url: '/api/audit?before=yesterday', field: 'before' },
  { name: 'errors: limit too high', method: 'GET', url: '/api/metrics/errors?limit=1000', field: 'limit' },
  { name: 'summary: unknown window', method: 'GET', url: '/api/metrics/summary?window=2h', field: 'window' },
  { name: 'purge: bad olderThan', method: 'DELETE', url: '/api/jobs?status=completed&olderThan=soon', field: 'olderThan' },
]

describe('bad input', () => {
  it.each(BAD_BODIES)('refuses a body with $name (400 naming $field), writing nothing', async ({ url, payload, field }) => {
    const { call } = await openApp()
    const res = await call('POST', url, admin, payload)
    expect(res.status).toBe(400)
    expect(res.body.error.code).toBe('invalid_input')
    expect(res.body.error.details.map((d: { path: string }) => d.path)).toContain(field)
    if (field) expect(res.body.error.message).toContain(field)
    expect((await call('GET', '/api/jobs/stats')).body.stats.total).toBe(0)
    expect((await call('GET', '/api/keys')).body.keys).toEqual([])
  })

  it.each(BAD_QUERIES)('refuses a query with $name (400 naming $field), changing nothing', async ({ method, url, field }) => {
    const { call } = await openApp()
    await call('POST', '/api/jobs', admin, { type: 'a' })
    const res = await call(method, url)
    expect(res.status).toBe(400)
    expect(res.body.error.code).toBe('invalid_input')
    expect(res.body.error.details.map((d: { path: string }) => d.path)).toContain(field)
    expect((await call('GET', '/api/jobs/stats')).body.stats.total).toBe(1)
  })

  it('refuses a body over the limit with 413 before parsing it, writing nothing', async () => {
    const { app, call } = await openApp({ bodyLimit: 4096 })
    const payload = JSON.stringify({ type: 'a', payload: { blob: 'x'.repeat(5000) } })
    const res = await app.inject({ method: 'POST', url: '/api/jobs', headers: { ...admin, 'content-type': 'application/json' }, payload })
    expect(res.statusCode).toBe(413)
    expect(res.json().error.code).toBe('payload_too_large')
    expect((await call('GET', '/api/jobs/stats')).body.stats.total).toBe(0)
  })

  it('refuses the default limit of 1 MiB', async () => {
    const { app, call } = await openApp()
    const payload = JSON.stringify({ type: 'a', payload: 'x'.repeat(1024 * 1024) })
    const res = await app.inject({ method: 'POST', url: '/api/jobs', headers: { ...admin, 'content-type': 'application/json' }, payload })
    expect(res.statusCode).toBe(413)
    expect((await call('GET', '/api/jobs/stats')).body.stats.total).toBe(0)
  })

  it('refuses a body that is not JSON (400) or not sent as JSON (415)', async () => {
    const { app, call } = await openApp()
    const broken = await app.inject({ method: 'POST', url: '/api/jobs', headers: { ...admin, 'content-type': 'application/json' }, payload: '{"type":' })
    expect(broken.statusCode).toBe(400)
    expect(broken.json().error.code).toBe('invalid_input')
    const text = await app.inject({ method: 'POST', url: '/api/jobs', headers: { ...admin, 'content-type': 'text/plain' }, payload: 'type=a' })
    expect(text.statusCode).toBe(415)
    expect(text.json().error.code).toBe('unsupported_media_type')
    expect((await call('GET', '/api/jobs/stats')).body.stats.total).toBe(0)
  })

  it('answers an unknown route with 404 not_found in the error format', async () => {
    const { call } = await openApp()
    const res = await call('GET', '/api/nothing-here')
    expect(res.status).toBe(404)
    expect(res.body.error.code).toBe('not_found')
  })
})

describe('odd input past the schemas, the router and the HTTP parser', () => {
  it('answers 400 invalid_input, not 500, for a NUL reaching the database, a JSON nested too deep, or a cursor date PostgreSQL cannot hold', async () => {
    const { app, call } = await openApp()
    await call('POST', '/api/jobs', admin, { type: 'a' })
    // Sent as text: 5,000 levels are 10 KB, far under the body limit, and overflowed JSON.stringify.
    const deep = `${'['.repeat(5000)}1${']'.repeat(5000)}`
    const cursor = (t: string) => Buffer.from(JSON.stringify({ t, p: 0, id: '01900000-0000-7000-8000-000000000000' })).toString('base64url')
    for (const [method, url, body] of [
      ['GET', '/api/jobs?type=a%00b'],
      ['GET', '/api/metrics/summary?queue=%00'],
      ['GET', '/api/audit?action=%00'],
      ['GET', `/api/jobs?cursor=${cursor('+275760-09-13T00:00:00.000Z')}`],
      ['POST', '/api/jobs', `{"type":"a","payload":${deep}}`],
      ['POST', '/api/jobs/batch', `{"jobs":[{"type":"b"},{"type":"a","metadata":{"deep":${deep}}}]}`],
    ] as const) {
      const res = await app.inject({ method, url, headers: { ...admin, ...(body ? { 'content-type': 'application/json' } : {}) }, ...(body ? { payload: body } : {}) })
      expect({ url, status: res.statusCode, code: res.json().error?.code }).toEqual({ url, status: 400, code: 'invalid_input' })
    }
    expect((await call('GET', '/api/jobs/stats')).body.stats.total).toBe(1)
  })

  it('answers a path it cannot decode in the error shape, and takes queue names up to their 128 characters', async () => {
    const { call } = await openApp()
    const bad = await call('GET', '/api/jobs/%C3%28')
    expect(bad.status).toBe(400)
    expect(bad.body.error.code).toBe('invalid_input')
    const name = 'q'.repeat(128)
    const paused = await call('POST', `/api/queues/${name}/pause`)
    expect(paused.status).toBe(200)
    expect(paused.body).toMatchObject({ queue: { name, paused: true } })
  })

  it("answers a request Node's HTTP parser refuses in the error shape, and closes the connection", async () => {
    const { server } = await startTestServer()
    const answer = await new Promise<string>((resolve, reject) => {
      const socket = connect(server.port, '127.0.0.1', () => socket.write('GET /api/health HTTP/1.1\r\nHost: x\r\nContent-Length: -1\r\n\r\n'))
      let text = ''
      socket.on('data', (d) => (text += d))
      socket.on('end', () => resolve(text))
      socket.on('close', () => resolve(text))
      socket.on('error', reject)
    })
    expect(answer).toMatch(/^HTTP\/1\.1 400 /)
    expect(JSON.parse(answer.slice(answer.indexOf('\r\n\r\n') + 4))).toEqual({ error: { code: 'invalid_input', message: expect.stringContaining('malformed HTTP request') } })
  })
})
