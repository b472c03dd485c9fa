import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import Fastify from 'fastify'
import { afterEach, describe, expect, it } from 'vitest'
import { DASHBOARD_CSP, dashboardFiles } from '../src/routes/dashboard-files.ts'

const dirs: string[] = []
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true })
})

/** A Fastify app with the API's JSON 404 (as buildApp has) and the dashboard served from `dist`. */
async function serve(dist: string) {
  const app = Fastify()
  app.setNotFoundHandler((request, reply) => {
    reply.code(404).send({ error: { code: 'not_found', message: `no route ${request.method} ${request.url}` } })
  })
  app.get('/api/jobs', async () => ({ jobs: [] }))
  await dashboardFiles(app, dist)
  await app.ready()
  return app
}

function fakeDist(): string {
  const dir = `${mkdtempSync(join(tmpdir(), 'conveyor-dist-'))}/`
  dirs.push(dir)
  mkdirSync(join(dir, 'assets'))
  writeFileSync(join(dir, 'index.html'), '<!doctype html><div id="root"></div><script type="module" src="/assets/app-abc.js"></script>')
  writeFileSync(join(dir, 'assets', 'app-abc.js'), 'console.log(1)')
  writeFileSync(join(dir, 'favicon.svg'), '<svg xmlns="http://www.w3.org/2000/svg"/>')
  return dir
}

describe('the dashboard files', () => {
  it('serves index.html at / and for every app path, with the CSP and nosniff', async () => {
    const app = await serve(fakeDist())
    for (const url of ['/', '/jobs', '/jobs/01a20752-741c-70cb-bb95-1c47ea9e3496?tab=1', '/queues']) {
      const res = await app.inject({ method: 'GET', url })
      expect(res.statusCode, url).toBe(200)
      expect(res.body).toContain('<div id="root">')
      expect(res.headers['content-type']).toMatch(/^text\/html/)
      expect(res.headers['content-security-policy']).toBe(DASHBOARD_CSP)
      expect(res.headers['x-content-type-options']).toBe('nosniff')
      expect(res.headers['cache-control']).toBe('no-cache')
    }
    expect(DASHBOARD_CSP).toContain("script-src 'self';")
    expect(DASHBOARD_CSP).not.toContain('unsafe-inline')
    expect(DASHBOARD_CSP).toContain("frame-ancestors 'none'")
    await app.close()
  })

  it('serves hashed assets for a year and top-level files, and answers the API 404 for what is not there', async () => {
    const app = await serve(fakeDist())
    const asset = await app.inject({ method: 'GET', url: '/assets/app-abc.js' })
    expect(asset.statusCode).toBe(200)
    expect(asset.headers['cache-control']).toContain('immutable')
    expect(asset.headers['content-security-policy']).toBe(DASHBOARD_CSP)
    expect((await app.inject({ method: 'GET', url: '/favicon.svg' })).headers['content-type']).toMatch(/svg/)

    for (const url of ['/assets/missing.js', '/api/nope', '/api/jobs/x/y/z', '/assets/../index.html']) {
      const res = await app.inject({ method: 'GET', url })
      if (url === '/assets/../index.html') {
        // Normalised by the router to /index.html, which is the app page: never a file outside dist.
        expect(res.body).not.toContain('console.log')
        continue
      }
      expect(res.statusCode, url).toBe(404)
      expect(res.json().error.code).toBe('not_found')
    }
    expect((await app.inject({ method: 'GET', url: '/api/jobs' })).json()).toEqual({ jobs: [] })
    await app.close()
  })

  it('says how to build the dashboard when it is not built, and serves it once built without a restart', async () => {
    const dir = `${mkdtempSync(join(tmpdir(), 'conveyor-dist-'))}/`
    dirs.push(dir)
    const app = await serve(`${dir}dist/`)
    const res = await app.inject({ method: 'GET', url: '/jobs' })
    expect(res.statusCode).toBe(503)
    expect(res.body).toContain('npm run build -w @conveyor/dashboard')
    expect(res.headers['content-security-policy']).toBe(DASHBOARD_CSP)

    mkdirSync(`${dir}dist/assets`, { recursive: true })
    writeFileSync(`${dir}dist/index.html`, '<!doctype html><div id="root"></div>')
    expect((await app.inject({ method: 'GET', url: '/jobs' })).statusCode).toBe(200)
    await app.close()
  })
})
