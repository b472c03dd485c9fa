import { CALLER_ROLES, type CallerRole, ROUTES, type RouteId } from '@conveyor/contracts'
import { describe, expect, it } from 'vitest'
import { ACCESS, TokenSigner } from '../src/index.ts'
import { admin, type Headers, openApp, startTestServer, TOKEN_SECRET } from './helpers.ts'

type Fixture = { jobId: string; keyId: string; scheduleId: string; ruleId: string }

/**
 * A well-formed request for each route, so that only access decides between 401/403 and anything
 * else. `raw` is sent as it is (with its content type) instead of JSON.
 */
const SAMPLES: Record<RouteId, (f: Fixture) => { path: string; body?: unknown; raw?: { type: string; data: string } }> = {
  enqueueJob: () => ({ path: '/api/jobs', body: { type: 'a' } }),
  enqueueJobAlias: () => ({ path: '/api/jobs/enqueue', body: { type: 'a' } }),
  enqueueBatch: () => ({ path: '/api/jobs/batch', body: { jobs: [{ type: 'a' }] } }),
  listJobs: () => ({ path: '/api/jobs' }),
  jobStats: () => ({ path: '/api/jobs/stats' }),
  purgeJobs: () => ({ path: '/api/jobs' }),
  bulkJobs: (f) => ({ path: '/api/jobs/bulk', body: { action: 'cancel', ids: [f.jobId] } }),
  getJob: (f) => ({ path: `/api/jobs/${f.jobId}` }),
  cancelJob: (f) => ({ path: `/api/jobs/${f.jobId}/cancel` }),
  retryJob: (f) => ({ path: `/api/jobs/${f.jobId}/retry` }),
  deleteJob: (f) => ({ path: `/api/jobs/${f.jobId}` }),
  uploadFile: () => ({ path: '/api/files?name=up.txt', raw: { type: 'text/plain', data: 'hello' } }),
  listJobFiles: (f) => ({ path: `/api/jobs/${f.jobId}/files` }),
  downloadJobFile: (f) => ({ path: `/api/jobs/${f.jobId}/files/input.txt` }),
  claimJobs: () => ({ path: '/api/workers/claim', body: { workerId: 'w' } }),
  endClaimWait: () => ({ path: '/api/workers/claim/end', body: { workerId: 'w' } }),
  heartbeatJob: (f) => ({ path: `/api/jobs/${f.jobId}/heartbeat`, body: { workerId: 'w' } }),
  progressJob: (f) => ({ path: `/api/jobs/${f.jobId}/progress`, body: { workerId: 'w', progress: 5 } }),
  completeJob: (f) => ({ path: `/api/jobs/${f.jobId}/complete`, body: { workerId: 'w' } }),
  failJob: (f) => ({ path: `/api/jobs/${f.jobId}/fail`, body: { workerId: 'w', error: { message: 'x' } } }),
  releaseJob: (f) => ({ path: `/api/jobs/${f.jobId}/release`, body: { workerId: 'w' } }),
  listWorkers: () => ({ path: '/api/workers' }),
  workerCancels: () => ({ path: '/api/workers/cancels' }),
  listQueues: () => ({ path: '/api/queues' }),
  pauseQueue: () => ({ path: '/api/queues/q1/pause' }),
  resumeQueue: () => ({ path: '/api/queues/q1/resume' }),
  createKey: () => ({ path: '/api/keys', body: { name: 'k', role: 'viewer' } }),
  listKeys: () => ({ path: '/api/keys' }),
  revokeKey: (f) => ({ path: `/api/keys/${f.keyId}` }),
  createToken: () => ({ path: '/api/tokens', body: { owner: 'someone' } }),
  listSchedules: () => ({ path: '/api/schedules' }),
  createSchedule: () => ({ path: '/api/schedules', body: { name: 'new', cron: '0 9 * * *', type: 'a' } }),
  getSchedule: (f) => ({ path: `/api/schedules/${f.scheduleId}` }),
  updateSchedule: (f) => ({ path: `/api/schedules/${f.scheduleId}`, body: { enabled: false } }),
  deleteSchedule: (f) => ({ path: `/api/schedules/${f.scheduleId}` }),
  triggerSchedule: (f) => ({ path: `/api/schedules/${f.scheduleId}/trigger` }),
  metricsSummary: () => ({ path: '/api/metrics/summary?window=24h' }),
  metricsErrors: () => ({ path: '/api/metrics/errors' }),
  retryErrorGroup: () => ({ path: '/api/metrics/errors/retry', body: { name: 'Error', shape: 'boom <n>' } }),
  listAlertRules: () => ({ path: '/api/alerts/rules' }),
  createAlertRule: () => ({ path: '/api/alerts/rules', body: { name: 'new', kind: 'queue_depth' } }),
  getAlertRule: (f) => ({ path: `/api/alerts/rules/${f.ruleId}` }),
  updateAlertRule: (f) => ({ path: `/api/alerts/rules/${f.ruleId}`, body: { threshold: 5 } }),
  deleteAlertRule: (f) => ({ path: `/api/alerts/rules/${f.ruleId}` }),
  testAlertRule: (f) => ({ path: `/api/alerts/rules/${f.ruleId}/test` }),
  alertHistory: () => ({ path: '/api/alerts/history' }),
  listAudit: () => ({ path: '/api/audit?limit=5' }),
  events: () => ({ path: '/api/events' }),
  health: () => ({ path: '/healthz' }),
  ready: () => ({ path: '/readyz' }),
  metrics: () => ({ path: '/metrics' }),
  openapi: () => ({ path: '/api/openapi.json' }),
}

const USER = 'u1'

describe('access: every route with every role', () => {
  it('has one access rule per route of the contracts, and the server serves every route', async () => {
    expect(Object.keys(ACCESS).sort()).toEqual(Object.keys(ROUTES).sort())
    const { app } = await startTestServer()
    for (const route of Object.values(ROUTES)) expect(app.hasRoute({ method: route.method, url: route.path }), route.path).toBe(true)
  })

  it.each(Object.keys(ROUTES) as RouteId[])('%s answers 401 without a credential, 403 to roles not in its rule, and serves the others', async (id) => {
    const { server, call, keyFor, tokenFor } = await startTestServer()
    const upload = await server.app.inject({
      method: 'POST',
      url: `/api/files?name=input.txt&owner=${USER}`,
      headers: { ...admin, 'content-type': 'text/plain' },
      payload: 'input',
    })
    const job = (await call('POST', '/api/jobs', admin, { type: 'a', owner: USER, files: [upload.json().file.id] })).body.job
    const dummyKey = (await call('POST', '/api/keys', admin, { name: 'to revoke', role: 'viewer' })).body
    const schedule = (await call('POST', '/api/schedules', admin, { name: 'nightly', cron: '0 2 * * *', type: 'a' })).body.schedule
    const alertRule = (await call('POST', '/api/alerts/rules', admin, { name: 'deep', kind: 'queue_depth', threshold: 100 })).body.rule
    const callers: Record<CallerRole | 'none', Headers> = {
      none: {},
      admin,
      producer: await keyFor('producer'),
      worker: await keyFor('worker'),
      viewer: await keyFor('viewer'),
      user: await tokenFor(USER),
    }
    const route = ROUTES[id]
    const rule = ACCESS[id]
    const { path, body, raw } = SAMPLES[id]({ jobId: job.id, keyId: dummyKey.id, scheduleId: schedule.id, ruleId: alertRule.id })
    for (const [who, headers] of Object.entries(callers) as [CallerRole | 'none', Headers][]) {
      const controller = new AbortController()
      const res = await fetch(server.url + path, {
        method: route.method,
        headers: { ...headers, ...(raw ? { 'content-type': raw.type } : body === undefined ? {} : { 'content-type': 'application/json' }) },
        body: raw ? raw.data : body === undefined ? undefined : JSON.stringify(body),
        signal: controller.signal,
      })
      const status = res.status
      const streaming = res.headers.get('content-type')?.startsWith('text/event-stream')
      const text = streaming ? '' : await res.text()
      controller.abort() // ends an event stream
      const label = `${id} as ${who}: ${status} ${text.slice(0, 200)}`
      if (rule === 'public') expect(status, label).toBe(200)
      else if (who === 'none') expect(status, label).toBe(401)
      else if (rule.includes(who)) expect([401, 403].includes(status) || status >= 500, label).toBe(false)
      else {
        expect(status, label).toBe(403)
        expect(JSON.parse(text).error.code).toBe('forbidden')
      }
    }
  })

  it('refuses unknown, revoked and malformed keys and forged or expired tokens (401)', async () => {
    const { call, keyFor, tokenFor } = await openApp()
    const producer = await keyFor('producer')
    expect((await call('GET', '/api/jobs', producer)).status).toBe(200)
    const keyId = (await call('GET', '/api/keys')).body.keys.find((k: { role: string }) => k.role === 'producer').id
    expect((await call('DELETE', `/api/keys/${keyId}`)).body.key.revokedAt).not.toBeNull()
    const revoked = await call('GET', '/api/jobs', producer)
    expect(revoked.status).toBe(401)
    expect(revoked.body.error.code).toBe('unauthorized')

    expect((await call('GET', '/api/jobs', { authorization: 'Bearer cvk_nope' })).status).toBe(401)
    expect((await call('GET', '/api/jobs', { authorization: 'Basic abc' })).status).toBe(401)

    const token = (await tokenFor(USER)).authorization!.slice('Bearer '.length)
    const [body, mac] = token.slice(4).split('.')
    const claims = JSON.parse(Buffer.from(body!, 'base64url').toString())
    const forgedBody = Buffer.from(JSON.stringify({ ...claims, o: 'someone-else' })).toString('base64url')
    expect((await call('GET', '/api/jobs', { authorization: `Bearer cvt_${forgedBody}.${mac}` })).status).toBe(401)

    const expired = new TokenSigner(TOKEN_SECRET).sign(USER, 60, Date.now() - 120_000).token
    expect((await call('GET', '/api/jobs', { authorization: `Bearer ${expired}` })).status).toBe(401)
  })
})
