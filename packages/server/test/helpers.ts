import type { Conveyor, KeyRole } from '@conveyor/core'
import type { FastifyInstance, InjectOptions } from 'fastify'
import { afterEach, expect } from 'vitest'
import { openConveyor } from '../../core/test/helpers.ts'
import { buildApp, type ServerConfig, startServer, type RunningServer } from '../src/index.ts'

export { backend, DATABASE_URL, logger, openConveyor, uniqueSchema } from '../../core/test/helpers.ts'

/** The admin key every test app accepts (config.adminKey, as CONVEYOR_ADMIN_KEY would be). */
export const ADMIN_KEY = 'test-admin-key-0123456789'
export const TOKEN_SECRET = 'test-token-secret-0123456789-0123456789'

const apps: FastifyInstance[] = []
const servers: RunningServer[] = []

// Registered after the core helpers' afterEach (imported above), so it runs first: apps and servers
// close before their Conveyor does.
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()))
  await Promise.all(apps.splice(0).map((a) => a.close()))
})

export type Headers = Record<string, string>
export const bearer = (credential: string): Headers => ({ authorization: `Bearer ${credential}` })
export const admin = bearer(ADMIN_KEY)

export interface TestApp {
  app: FastifyInstance
  conveyor: Conveyor
  /** app.inject, answering status and parsed JSON. */
  call(method: InjectOptions['method'], url: string, headers?: Headers, payload?: unknown): Promise<{ status: number; body: any; headers: Record<string, unknown> }>
  /** A new API key of this role. */
  keyFor(role: KeyRole): Promise<Headers>
  /** A user token for this owner, minted through POST /api/tokens. */
  tokenFor(owner: string, ttlSeconds?: number): Promise<Headers>
}

/** Builds an app on a fresh schema (closed after the test). */
export async function openApp(config: Partial<ServerConfig> = {}, conveyor?: Conveyor): Promise<TestApp> {
  const c = conveyor ?? (await openConveyor())
  const app = await buildApp({ conveyor: c, adminKey: ADMIN_KEY, tokenSecret: TOKEN_SECRET, ...config })
  apps.push(app)
  return testApp(app, c)
}

/** Listens on port 0 (closed after the test). */
export async function startTestServer(config: Partial<ServerConfig> = {}, conveyor?: Conveyor) {
  const c = conveyor ?? (await openConveyor())
  const server = await startServer({ conveyor: c, adminKey: ADMIN_KEY, tokenSecret: TOKEN_SECRET, port: 0, ...config })
  servers.push(server)
  return { server, ...testApp(server.app, c) }
}

function testApp(app: FastifyInstance, conveyor: Conveyor): TestApp {
  const call: TestApp['call'] = async (method, url, headers = admin, payload) => {
    const res = await app.inject({ method, url, headers, ...(payload === undefined ? {} : { payload: payload as object }) })
    const type = String(res.headers['content-type'] ?? '')
    return { status: res.statusCode, body: type.includes('json') ? res.json() : res.body, headers: res.headers }
  }
  return {
    app,
    conveyor,
    call,
    async keyFor(role) {
      const res = await call('POST', '/api/keys', admin, { name: `${role} key`, role })
      expect(res.status).toBe(201)
      return bearer(res.body.key)
    },
    async tokenFor(owner, ttlSeconds) {
      const res = await call('POST', '/api/tokens', admin, { owner, ...(ttlSeconds ? { ttlSeconds } : {}) })
      expect(res.status).toBe(201)
      return bearer(res.body.token)
    },
  }
}

/** Reads a Server-Sent Events response, yielding each `event: job` data as it arrives. */
export async function* sseEvents(res: Response): AsyncGenerator<{ event: string; data: any }> {
  const reader = res.body!.pipeThrough(new TextDecoderStream()).getReader()
  let buffer = ''
  for (;;) {
    const { value, done } = await reader.read()
    if (done) return
    buffer += value
    let i: number
    while ((i = buffer.indexOf('\n\n')) >= 0) {
      const block = buffer.slice(0, i)
      buffer = buffer.slice(i + 2)
      let event = 'message'
      let data = ''
      for (const line of block.split('\n')) {
        if (line.startsWith('event: ')) event = line.slice(7)
        else if (line.startsWith('data: ')) data += line.slice(6)
      }
      if (data) yield { event, data: JSON.parse(data) }
    }
  }
}

/**
 * Opens GET /api/events on a listening server and returns a reader that collects `job` events until
 * one matches; close() ends the stream. The stream is open (headers received) when this resolves.
 */
export async function openStream(url: string, query = '') {
  const controller = new AbortController()
  const res = await fetch(`${url}/api/events${query}`, { signal: controller.signal })
  expect(res.status).toBe(200)
  const events = sseEvents(res)
  return {
    /** Every job event received until (and including) the first that matches. */
    async until(match: (data: any) => boolean): Promise<any[]> {
      const seen: any[] = []
      for (;;) {
        const next = await events.next()
        if (next.done) throw new Error('the event stream ended')
        if (next.value.event !== 'job') continue
        seen.push(next.value.data)
        if (match(next.value.data)) return seen
      }
    },
    close: () => controller.abort(),
  }
}
