import { ROUTES } from '@conveyor/contracts'
import { describe, expect, it } from 'vitest'
import { admin, openApp, openConveyor } from './helpers.ts'
import { MAX_LABEL_VALUES, OTHER_LABEL } from '../src/metrics.ts'

describe('health, readiness, metrics, OpenAPI', () => {
  it('answers liveness and readiness without a credential; readiness is 503 when the database cannot answer', async () => {
    const conveyor = await openConveyor()
    const { call } = await openApp({}, conveyor)
    expect(await call('GET', '/healthz', {})).toMatchObject({ status: 200, body: { ok: true } })
    expect(await call('GET', '/readyz', {})).toMatchObject({ status: 200, body: { ok: true, database: 'ok' } })
    await conveyor.db.exec(`DROP SCHEMA "${conveyor.schema}" CASCADE`)
    expect(await call('GET', '/readyz', {})).toMatchObject({ status: 503, body: { ok: false, database: 'unreachable' } })
    expect((await call('GET', '/healthz', {})).status).toBe(200)
  })

  it('exposes Prometheus metrics: jobs by state and queue, counters and histograms fed by events', async () => {
    const { call, conveyor, keyFor } = await openApp()
    const worker = await keyFor('worker')
    const { job } = (await call('POST', '/api/jobs', admin, { type: 'scan', queue: 'web' })).body
    await call('POST', '/api/jobs', admin, { type: 'scan', queue: 'web' })
    let completed!: () => void
    const sawCompleted = new Promise<void>((r) => (completed = r))
    // Subscribed after the server: the server's metrics see each event before this listener does.
    const off = await conveyor.subscribe((e) => e.id === job.id && e.status === 'completed' && completed())
    await call('POST', '/api/workers/claim', worker, { workerId: 'w', queues: ['web'] })
    await call('POST', `/api/jobs/${job.id}/complete`, worker, { workerId: 'w', result: {} })
    await sawCompleted
    off()

    const res = await call('GET', '/metrics', {})
    expect(res.status).toBe(200)
    expect(String(res.headers['content-type'])).toMatch(/^text\/plain/)
    const text: string = res.body
    expect(text).toMatch(/^conveyor_jobs\{queue="web",state="pending"\} 1$/m)
    expect(text).toMatch(/^conveyor_jobs\{queue="web",state="completed"\} 1$/m)
    expect(text).toMatch(/^conveyor_jobs_enqueued_total\{queue="web"\} 2$/m)
    expect(text).toMatch(/^conveyor_jobs_completed_total\{queue="web",type="scan"\} 1$/m)
    expect(text).toMatch(/^conveyor_job_duration_seconds_count\{queue="web",type="scan",outcome="completed"\} 1$/m)
    expect(text).toMatch(/^conveyor_job_wait_seconds_count\{queue="web",type="scan"\} 1$/m)
    expect(text).toMatch(/^conveyor_http_requests_total\{route="enqueueJob",status="201"\} 2$/m)
    expect(text).toContain('# TYPE conveyor_jobs_failed_total counter')
    expect(text).toContain('process_cpu_seconds_total')
  })

  it('gives at most MAX_LABEL_VALUES queue names series of their own; the rest count under _other', async () => {
    const { call } = await openApp()
    const queues = Array.from({ length: MAX_LABEL_VALUES + 5 }, (_, i) => `q${i}`)
    for (let i = 0; i < queues.length; i += 100)
      expect((await call('POST', '/api/jobs/batch', admin, { jobs: queues.slice(i, i + 100).map((queue) => ({ type: 't', queue })) })).status).toBe(201)
    const text: string = (await call('GET', '/metrics', {})).body
    const series = (metric: string) => new Set([...text.matchAll(new RegExp(`^${metric}\\{queue="([^"]+)"`, 'gm'))].map((m) => m[1]))
    for (const metric of ['conveyor_jobs_enqueued_total', 'conveyor_jobs']) {
      const names = series(metric)
      expect(names.size, metric).toBe(MAX_LABEL_VALUES + 1)
      expect(names.has(OTHER_LABEL), metric).toBe(true)
    }
    expect(text).toMatch(new RegExp(`^conveyor_jobs_enqueued_total\\{queue="${OTHER_LABEL}"\\} 5$`, 'm'))
  })

  it('serves an OpenAPI 3.1 document of every route, generated from the contracts, and a browsable reference', async () => {
    const { call } = await openApp()
    const res = await call('GET', '/api/openapi.json', {})
    expect(res.status).toBe(200)
    const doc = res.body
    expect(doc.openapi).toBe('3.1.0')
    for (const [id, route] of Object.entries(ROUTES)) {
      const op = doc.paths[route.path.replace(/:(\w+)/g, '{$1}')]?.[route.method.toLowerCase()]
      expect(op?.operationId, id).toBe(id)
    }
    const enqueue = doc.paths['/api/jobs'].post
    expect(enqueue.requestBody.content['application/json'].schema).toEqual({ $ref: '#/components/schemas/EnqueueOptions' })
    expect(doc.components.schemas.EnqueueOptions.required).toEqual(['type'])
    expect(enqueue.description).toContain('Allowed: admin key, producer key, user token.')
    const list = doc.paths['/api/jobs'].get.parameters.map((p: { name: string }) => p.name)
    expect(list).toEqual(expect.arrayContaining(['status', 'type', 'queue', 'owner', 'q', 'createdAfter', 'createdBefore', 'sort', 'limit', 'offset', 'cursor']))
    // Every reference resolves.
    for (const ref of JSON.stringify(doc).match(/"\$ref":"[^"]+"/g) ?? []) {
      const name = ref.slice('"$ref":"#/components/schemas/'.length, -1)
      expect(doc.components.schemas[name], ref).toBeDefined()
    }

    const page = await call('GET', '/api/docs/', {})
    expect(page.status).toBe(200)
    expect(String(page.headers['content-type'])).toMatch(/text\/html/)
  })
})
