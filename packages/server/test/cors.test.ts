import { describe, expect, it } from 'vitest'
import { admin, openApp, startTestServer } from './helpers.ts'

const APP = 'https://app.example.com'

describe('cross-origin calls (corsOrigins)', () => {
  it('answers preflights and adds CORS headers for listed origins only, never allowing credentials', async () => {
    const { app } = await openApp({ corsOrigins: [APP] })
    const preflight = await app.inject({
      method: 'OPTIONS',
      url: '/api/jobs',
      headers: { origin: APP, 'access-control-request-method': 'POST', 'access-control-request-headers': 'authorization, content-type' },
    })
    expect(preflight.statusCode).toBe(204)
    expect(preflight.headers).toMatchObject({ 'access-control-allow-origin': APP, vary: 'Origin' })
    expect(String(preflight.headers['access-control-allow-headers'])).toContain('authorization')
    expect(preflight.headers['access-control-allow-credentials']).toBeUndefined()

    const get = await app.inject({ method: 'GET', url: '/api/jobs', headers: { ...admin, origin: APP } })
    expect(get.statusCode).toBe(200)
    expect(get.headers['access-control-allow-origin']).toBe(APP)

    const other = await app.inject({ method: 'GET', url: '/api/jobs', headers: { ...admin, origin: 'https://evil.example' } })
    expect(other.headers['access-control-allow-origin']).toBeUndefined()
  })

  it('sends no CORS headers by default', async () => {
    const { app } = await openApp()
    const res = await app.inject({ method: 'GET', url: '/api/jobs', headers: { ...admin, origin: APP } })
    expect(res.headers['access-control-allow-origin']).toBeUndefined()
  })

  it('lets an EventSource of another origin read the event stream', async () => {
    const { server } = await startTestServer({ corsOrigins: ['*'] })
    const controller = new AbortController()
    const res = await fetch(`${server.url}/api/events`, { headers: { ...admin, origin: APP }, signal: controller.signal })
    expect(res.status).toBe(200)
    expect(res.headers.get('access-control-allow-origin')).toBe('*')
    expect(res.headers.get('content-type')).toMatch(/^text\/event-stream/)
    controller.abort()
  })

  it('refuses a setting that is not an origin', async () => {
    await expect(openApp({ corsOrigins: ['https://app.example.com/path'] })).rejects.toMatchObject({ code: 'config_error' })
  })
})
