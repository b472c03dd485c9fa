import { describe, expect, it } from 'vitest'
import { SessionSealer } from '../src/session-cookie.ts'
import { ADMIN_KEY, admin, openApp, type TestApp } from './helpers.ts'

const HOST = 'conveyor.test:3000'
const ORIGIN = `http://${HOST}`
/** What a browser sends from the dashboard's own pages. */
const own = { host: HOST, origin: ORIGIN }

/** Signs in with a key; answers the cookie header to send back, and the answer. */
async function signIn(t: TestApp, key: string) {
  const res = await t.app.inject({ method: 'POST', url: '/api/session', headers: own, payload: { key } })
  const setCookie = String(res.headers['set-cookie'] ?? '')
  return { res, setCookie, cookie: setCookie.split(';')[0]! }
}

describe('the dashboard session', () => {
  it('signs in with a key into an httpOnly, SameSite=Strict cookie that does not hold the key, and signs out', async () => {
    const t = await openApp()
    const { res, setCookie, cookie } = await signIn(t, ADMIN_KEY)
    expect(res.statusCode).toBe(200)
    expect(res.json()).toMatchObject({ session: { role: 'admin', name: 'CONVEYOR_ADMIN_KEY', expiresAt: expect.any(String) } })
    expect(setCookie).toMatch(/^conveyor_session=[^;]+; Max-Age=43200; Path=\/; HttpOnly; SameSite=Strict$/)
    expect(setCookie).not.toContain(ADMIN_KEY)

    const who = await t.app.inject({ method: 'GET', url: '/api/session', headers: { cookie } })
    expect(who.json()).toMatchObject({ session: { role: 'admin' } })
    expect((await t.app.inject({ method: 'GET', url: '/api/jobs', headers: { cookie } })).statusCode).toBe(200)

    const out = await t.app.inject({ method: 'DELETE', url: '/api/session', headers: { ...own, cookie } })
    expect(out.json()).toEqual({ session: null })
    expect(String(out.headers['set-cookie'])).toMatch(/^conveyor_session=; Max-Age=0/)
    // The old cookie is dead on this server even if the browser kept it.
    expect((await t.app.inject({ method: 'GET', url: '/api/jobs', headers: { cookie } })).statusCode).toBe(401)
    expect((await t.app.inject({ method: 'GET', url: '/api/session', headers: { cookie } })).json()).toEqual({ session: null })
  })

  it('refuses bad keys, worker keys and user tokens', async () => {
    const t = await openApp()
    expect((await signIn(t, 'cvk_not-a-real-key-0123456789')).res.statusCode).toBe(401)
    const worker = (await t.keyFor('worker')).authorization!.slice(7)
    const refused = (await signIn(t, worker)).res
    expect(refused.statusCode).toBe(403)
    expect(refused.json().error.message).toContain('worker key cannot sign in')
    const token = (await t.tokenFor('u1')).authorization!.slice(7)
    expect((await signIn(t, token)).res.statusCode).toBe(403)
    const empty = await t.app.inject({ method: 'POST', url: '/api/session', headers: own, payload: { key: '' } })
    expect(empty.statusCode).toBe(400)
  })

  it("gives the cookie exactly its key's role: a viewer reads everything and changes nothing", async () => {
    const t = await openApp()
    const job = (await t.call('POST', '/api/jobs', admin, { type: 'scan' })).body.job
    const viewer = (await t.keyFor('viewer')).authorization!.slice(7)
    const { res, cookie } = await signIn(t, viewer)
    expect(res.json()).toMatchObject({ session: { role: 'viewer' } })
    const as = { ...own, cookie }
    expect((await t.call('GET', '/api/jobs', as)).body.count).toBe(1)
    expect((await t.call('GET', `/api/jobs/${job.id}`, as)).status).toBe(200)
    expect((await t.call('GET', '/api/metrics/summary', as)).status).toBe(200)
    for (const [method, url, body] of [
      ['POST', `/api/jobs/${job.id}/cancel`],
      ['DELETE', `/api/jobs/${job.id}`],
      ['POST', '/api/jobs', { type: 'x' }],
      ['POST', '/api/queues/default/pause'],
    ] as const) {
      const r = await t.call(method, url, as, body)
      expect(r.status, `${method} ${url}`).toBe(403)
      expect(r.body.error.code).toBe('forbidden')
    }
  })

  it('ends the session when its key is revoked', async () => {
    const t = await openApp({ keyCacheMs: 0 })
    const created = await t.call('POST', '/api/keys', admin, { name: 'ops', role: 'admin' })
    const { cookie } = await signIn(t, created.body.key)
    expect((await t.call('GET', '/api/jobs', { cookie })).status).toBe(200)
    expect((await t.call('DELETE', `/api/keys/${created.body.id}`)).status).toBe(200)
    expect((await t.call('GET', '/api/jobs', { cookie })).status).toBe(401)
    const who = await t.app.inject({ method: 'GET', url: '/api/session', headers: { cookie } })
    expect(who.json()).toEqual({ session: null })
    expect(String(who.headers['set-cookie'])).toMatch(/^conveyor_session=; Max-Age=0/)
  })

  it('refuses changes made with the cookie from another origin, with a code, and lets its own origin through', async () => {
    const t = await openApp()
    const job = (await t.call('POST', '/api/jobs', admin, { type: 'scan' })).body.job
    const { cookie } = await signIn(t, ADMIN_KEY)
    const cancel = (headers: Record<string, string>) => t.call('POST', `/api/jobs/${job.id}/cancel`, { host: HOST, cookie, ...headers })
    const refused: Record<string, string>[] = [
      { origin: 'http://evil.example' },
      { origin: 'http://conveyor.test:3001' }, // same site, other port: another origin
      { origin: 'https://conveyor.test:3000' }, // other scheme
      { referer: 'http://evil.example/page' },
      { 'sec-fetch-site': 'same-site', origin: ORIGIN },
      {}, // neither Origin nor Referer
    ]
    for (const headers of refused) {
      const r = await cancel(headers)
      expect(r.status, JSON.stringify(headers)).toBe(403)
      expect(r.body.error.code).toBe('cross_site_request')
    }
    expect((await t.conveyor.getJob(job.id))?.status).toBe('pending')
    // Reads are not refused: a cross-origin page cannot read the answer anyway (no CORS).
    expect((await t.call('GET', '/api/jobs', { host: HOST, cookie, origin: 'http://evil.example' })).status).toBe(200)
    // A bearer key is not ambient: no origin check.
    expect((await t.call('POST', `/api/jobs/${job.id}/cancel`, { ...admin, origin: 'http://evil.example' })).status).toBe(200)
    const retried = await t.call('POST', `/api/jobs/${job.id}/retry`, { host: HOST, cookie, referer: `${ORIGIN}/jobs/${job.id}`, 'sec-fetch-site': 'same-origin' })
    expect(retried.status).toBe(200)
    // Signing in from another site is refused too (it would sign the browser in to someone else's key).
    const login = await t.app.inject({ method: 'POST', url: '/api/session', headers: { host: HOST, origin: 'http://evil.example' }, payload: { key: ADMIN_KEY } })
    expect(login.statusCode).toBe(403)
    expect(login.headers['set-cookie']).toBeUndefined()
  })

  it('ignores a forged, tampered or expired cookie, and prefers a bearer credential to the cookie', async () => {
    const t = await openApp()
    const { cookie } = await signIn(t, ADMIN_KEY)
    const value = cookie.slice('conveyor_session='.length)
    const flipped = `conveyor_session=${value.slice(0, 10)}${value[10] === 'A' ? 'B' : 'A'}${value.slice(11)}`
    expect((await t.call('GET', '/api/jobs', { cookie: flipped })).status).toBe(401)
    expect((await t.call('GET', '/api/jobs', { cookie: 'conveyor_session=nonsense' })).status).toBe(401)

    // Sealed with another server's secret: unreadable here.
    const foreign = new SessionSealer('another-database-secret').seal(ADMIN_KEY).value
    expect((await t.call('GET', '/api/jobs', { cookie: `conveyor_session=${foreign}` })).status).toBe(401)
    const sealer = new SessionSealer('x')
    const { value: old } = sealer.seal(ADMIN_KEY, Date.now() - 13 * 3600_000)
    expect(sealer.open(old)).toBeNull()
    expect(sealer.open(sealer.seal(ADMIN_KEY).value)).toMatchObject({ key: ADMIN_KEY })

    const viewer = await t.keyFor('viewer')
    // A bearer viewer key with an admin cookie is a viewer: the header wins.
    expect((await t.call('POST', '/api/jobs', { ...viewer, cookie, ...own }, { type: 'x' })).status).toBe(403)
  })
})

describe('GET /api/metrics/summary and /api/metrics/errors', () => {
  it('answer throughput per minute and grouped errors to readers, and refuse user tokens and workers', async () => {
    const t = await openApp()
    const job = (await t.call('POST', '/api/jobs', admin, { type: 'scan' })).body.job
    await t.call('POST', '/api/workers/claim', admin, { workerId: 'w1' })
    await t.call('POST', `/api/jobs/${job.id}/fail`, admin, { workerId: 'w1', error: { message: 'timeout after 30 ms' }, retryable: false })
    await t.conveyor.rollup.runOnce()

    const summary = await t.call('GET', '/api/metrics/summary?window=1h')
    expect(summary.status).toBe(200)
    expect(summary.body.summary).toMatchObject({ window: '1h', stepMs: 60_000, totals: { enqueued: 1, failed: 1 } })
    expect(summary.body.summary.series).toEqual([expect.objectContaining({ at: expect.stringMatching(/Z$/), failed: 1 })])
    const errors = await t.call('GET', '/api/metrics/errors?window=1h&limit=5')
    expect(errors.body.errors).toEqual([expect.objectContaining({ name: 'Error', shape: 'timeout after <n> ms', count: 1, sampleJobId: job.id })])

    expect((await t.call('GET', '/api/metrics/summary?window=2h')).status).toBe(400)
    expect((await t.call('GET', '/api/metrics/summary', await t.tokenFor('u1'))).status).toBe(403)
    expect((await t.call('GET', '/api/metrics/errors', await t.keyFor('worker'))).status).toBe(403)
    expect((await t.call('GET', '/api/metrics/summary', {})).status).toBe(401)
  })
})
