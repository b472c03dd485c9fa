import { randomUUID } from 'node:crypto'
import type { JobEvent } from '@conveyor/core'
import { jobEventSchema, LIMITS } from '@conveyor/contracts'
import { pino } from 'pino'
import { describe, expect, it, vi } from 'vitest'
import { EventHub } from '../src/event-hub.ts'
import { admin, backend, bearer, logger, openConveyor, openStream, startTestServer, uniqueSchema } from './helpers.ts'

const token = (headers: Record<string, string>) => headers.authorization!.slice('Bearer '.length)

describe('GET /api/events', () => {
  it('streams job events with the fields of API.md, filtered by ids, queue and type', async () => {
    const { server, call } = await startTestServer()
    const byQueue = await openStream(server.url, `?token=${token(admin)}&queue=mail`)
    const byType = await openStream(server.url, `?token=${token(admin)}&type=report`)
    const { job: watched } = (await call('POST', '/api/jobs', admin, { type: 'x', queue: 'q9' })).body
    const byIds = await openStream(server.url, `?token=${token(admin)}&ids=${watched.id}`)

    await call('POST', '/api/jobs', admin, { type: 'x' }) // matches no filter
    const { job: mail } = (await call('POST', '/api/jobs', admin, { type: 'send', queue: 'mail' })).body
    const { job: report } = (await call('POST', '/api/jobs', admin, { type: 'report' })).body
    await call('POST', `/api/jobs/${watched.id}/cancel`)

    const mailEvents = await byQueue.until((e) => e.id === mail.id)
    expect(mailEvents.map((e) => e.id)).toEqual([mail.id])
    expect(jobEventSchema.strict().parse(mailEvents[0])).toMatchObject({ status: 'pending', queue: 'mail', type: 'send', owner: null, progress: 0 })
    expect(Object.keys(mailEvents[0]).sort()).toEqual(['id', 'owner', 'progress', 'progressMessage', 'queue', 'status', 'type', 'updatedAt'])

    expect((await byType.until((e) => e.id === report.id)).map((e) => e.id)).toEqual([report.id])
    const watchedEvents = await byIds.until((e) => e.status === 'cancelled')
    expect(new Set(watchedEvents.map((e) => e.id))).toEqual(new Set([watched.id]))
    for (const s of [byQueue, byType, byIds]) s.close()
  })

  it('a stream ends when its user token expires, and at the next keep-alive once its key is revoked (no event after)', async () => {
    const { server, call, tokenFor } = await startTestServer({ events: { keepAliveMs: 50, coalesceMs: 10 } })
    // Three seconds: long enough to open the stream and see an event on a loaded machine (with one,
    // CI once found the token expired before the stream opened), short enough to await its end.
    const user = token(await tokenFor('alice', 3))
    const { body: viewer } = await call('POST', '/api/keys', admin, { name: 'watcher', role: 'viewer' })
    const viaToken = await streamText(`${server.url}/api/events?token=${user}`)
    const viaKey = await streamText(`${server.url}/api/events?token=${viewer.key}`)
    // The key's stream sees events while the key is valid, and ends once it is revoked.
    const { job } = (await call('POST', '/api/jobs', admin, { type: 'seen', owner: 'alice' })).body
    await viaKey.until((text) => text.includes(job.id))
    expect((await call('DELETE', `/api/keys/${viewer.id}`, admin)).status).toBeLessThan(300)
    await viaKey.ended
    // The token's stream ends by itself when the token expires.
    const tokenText = await viaToken.ended
    expect(tokenText).toContain(job.id)
    // Nothing after: the job enqueued now reaches neither (both streams are closed).
    const { job: later } = (await call('POST', '/api/jobs', admin, { type: 'later', owner: 'alice' })).body
    expect(await viaToken.ended).not.toContain(later.id)
  })

  it('accepts the key in the Authorization header too, refuses a missing or bad one, and keeps the stream alive with comments', async () => {
    const { server } = await startTestServer({ events: { keepAliveMs: 20, coalesceMs: 100 } })
    expect((await fetch(`${server.url}/api/events`)).status).toBe(401)
    expect((await fetch(`${server.url}/api/events?token=cvk_wrong`)).status).toBe(401)
    const controller = new AbortController()
    const res = await fetch(`${server.url}/api/events`, { headers: admin, signal: controller.signal })
    expect(res.status).toBe(200)
    expect(res.headers.get('content-type')).toMatch(/^text\/event-stream/)
    const reader = res.body!.pipeThrough(new TextDecoderStream()).getReader()
    let text = ''
    while (!text.includes(': keep-alive\n\n')) text += (await reader.read()).value ?? ''
    expect(text.startsWith('retry: 3000\n')).toBe(true)
    controller.abort()
  })

  it(`takes as many ids as documented (${LIMITS.eventIds}) in one URL, encoded as the client sends them, and refuses more with 400 naming ids`, async () => {
    const { server, tokenFor } = await startTestServer()
    const user = token(await tokenFor('alice'))
    const ids = Array.from({ length: LIMITS.eventIds + 1 }, () => randomUUID())
    // As EventSource or the client sends it: the token in the URL too, commas percent-encoded.
    const url = (n: number) => `${server.url}/api/events?${new URLSearchParams({ token: user, ids: ids.slice(0, n).join(',') })}`
    // A browser's usual headers besides: cookies of other apps on the host, a long user agent.
    const headers = { accept: 'text/event-stream', cookie: `other_app=${'x'.repeat(2000)}`, 'user-agent': `Mozilla/5.0 ${'x'.repeat(300)}` }
    const controller = new AbortController()
    const atLimit = await fetch(url(LIMITS.eventIds), { headers, signal: controller.signal })
    expect(atLimit.status).toBe(200)
    expect(atLimit.headers.get('content-type')).toMatch(/^text\/event-stream/)
    controller.abort()
    const over = await fetch(url(LIMITS.eventIds + 1), { headers })
    expect(over.status).toBe(400)
    expect((await over.json()).error).toMatchObject({ code: 'invalid_input', details: [expect.objectContaining({ path: 'ids' })] })
  })

  it('takes the token as ?token= on the event stream only', async () => {
    const { server } = await startTestServer()
    expect((await fetch(`${server.url}/api/jobs?token=${token(admin)}`)).status).toBe(401)
  })

  it('ends open streams when the server closes, so close() does not wait on them', async () => {
    const { server } = await startTestServer()
    const res = await fetch(`${server.url}/api/events`, { headers: admin })
    const reader = res.body!.getReader()
    await reader.read() // the stream is open
    await server.close()
    for (;;) if ((await reader.read()).done) break
  })

  it('never logs the ?token= credential', async () => {
    const lines: string[] = []
    const log = pino({ level: 'info' }, { write: (line: string) => lines.push(line) })
    const { server } = await startTestServer({ logger: log, logRequests: true })
    expect((await fetch(`${server.url}/api/events?token=cvk_secret-in-url&queue=q`)).status).toBe(401)
    await server.close()
    expect(lines.some((l) => l.includes('/api/events?token=[redacted]&queue=q'))).toBe(true)
    expect(lines.join('\n')).not.toContain('secret-in-url')
  })

  it('uses one engine subscription per server whatever the number of streams', async () => {
    const conveyor = await openConveyor()
    const subscribe = vi.spyOn(conveyor, 'subscribe')
    const { server, call } = await startTestServer({}, conveyor)
    const streams = await Promise.all(Array.from({ length: 5 }, () => openStream(server.url, `?token=${token(admin)}`)))
    const { job } = (await call('POST', '/api/jobs', admin, { type: 'x' })).body
    for (const s of streams) expect((await s.until((e) => e.id === job.id)).at(-1).id).toBe(job.id)
    expect(subscribe).toHaveBeenCalledTimes(1)
    for (const s of streams) s.close()
  })

  it('coalesces: a sink gets the latest event per job once per window', async () => {
    const conveyor = await openConveyor()
    const hub = new EventHub(conveyor, { coalesceMs: 3_600_000, keepAliveMs: 3_600_000 }, logger)
    await hub.start()
    try {
      const delivered: JobEvent[][] = []
      hub.addSink({ deliver: (events) => delivered.push([...events]), resync() {}, ping() {} })
      let seen = 0
      let fourth!: () => void
      const fourSeen = new Promise<void>((r) => (fourth = r))
      hub.onEvent(() => ++seen === 4 && fourth())

      const job = await conveyor.enqueue({ type: 'x' })
      const other = await conveyor.enqueue({ type: 'y' })
      await conveyor.jobs.claim({ workerId: 'w', queues: null, types: ['x'], limit: 1, leaseMs: 30_000 })
      await conveyor.jobs.progress('w', [{ id: job.id, progress: 60, message: 'most' }])
      await fourSeen // four events in one window (pending x, pending y, running x, progress x)
      hub.flush()

      expect(delivered).toHaveLength(1)
      expect(delivered[0]!.map((e) => [e.id, e.status, e.progress])).toEqual([
        [job.id, 'running', 60],
        [other.id, 'pending', 0],
      ])
    } finally {
      hub.close()
    }
  })
})

describe('GET /api/workers/cancels', () => {
  it('sends a worker `event: cancel` with the id when a running job’s cancel is requested, and nothing for other changes', async () => {
    const { server, call, keyFor } = await startTestServer()
    const worker = await keyFor('worker')
    const stream = await streamText(`${server.url}/api/workers/cancels`, worker)
    const { job: finished } = (await call('POST', '/api/jobs', admin, { type: 'a' })).body
    const { job: cancelled } = (await call('POST', '/api/jobs', admin, { type: 'a' })).body
    const { job: pending } = (await call('POST', '/api/jobs', admin, { type: 'b' })).body
    expect((await call('POST', '/api/workers/claim', worker, { workerId: 'w', types: ['a'], limit: 2 })).body.jobs).toHaveLength(2)
    await call('POST', `/api/jobs/${finished.id}/complete`, worker, { workerId: 'w', result: 1 })
    await call('POST', `/api/jobs/${pending.id}/cancel`, admin) // pending: cancelled at once, no worker to tell
    await call('POST', `/api/jobs/${cancelled.id}/cancel`, admin)
    await stream.until((text) => text.includes(cancelled.id))
    expect(stream.text().split('\n\n').filter((m) => !m.startsWith(':') && !m.startsWith('retry:'))).toEqual([
      `event: cancel\ndata: ${JSON.stringify({ id: cancelled.id })}`,
      '',
    ])
    stream.close()
  })

  it('refuses producer keys and user tokens (403), and ends at the next keep-alive once the worker key is revoked', async () => {
    const { server, call, keyFor, tokenFor } = await startTestServer({ events: { keepAliveMs: 50, coalesceMs: 10 } })
    for (const headers of [await keyFor('producer'), await tokenFor('alice')]) {
      const res = await fetch(`${server.url}/api/workers/cancels`, { headers })
      expect(res.status).toBe(403)
      expect((await res.json()).error.code).toBe('forbidden')
    }
    const { body: key } = await call('POST', '/api/keys', admin, { name: 'worker', role: 'worker' })
    const stream = await streamText(`${server.url}/api/workers/cancels`, bearer(key.key))
    await stream.until((text) => text.includes(': keep-alive'))
    expect((await call('DELETE', `/api/keys/${key.id}`, admin)).status).toBeLessThan(300)
    await stream.ended
  })
})

describe.skipIf(backend !== 'postgres')('two servers on one PostgreSQL', () => {
  it('each delivers every event, whichever server or process caused it', async () => {
    const schema = uniqueSchema()
    const one = await startTestServer({}, await openConveyor({ schema }))
    const two = await startTestServer({}, await openConveyor({ schema }))
    const s1 = await openStream(one.server.url, `?token=${token(admin)}`)
    const s2 = await openStream(two.server.url, `?token=${token(admin)}`)

    const { job: a } = (await one.call('POST', '/api/jobs', admin, { type: 'a' })).body
    const { job: b } = (await two.call('POST', '/api/jobs', admin, { type: 'b' })).body
    for (const s of [s1, s2]) {
      const seen = await s.until((e) => e.id === b.id)
      expect(seen.map((e) => e.id)).toEqual([a.id, b.id])
    }
    // A worker of server two finishes a's job: server one's stream shows it.
    const worker = await two.keyFor('worker')
    await two.call('POST', '/api/workers/claim', worker, { workerId: 'w', types: ['a'] })
    await two.call('POST', `/api/jobs/${a.id}/complete`, worker, { workerId: 'w', result: 1 })
    expect((await s1.until((e) => e.id === a.id && e.status === 'completed')).at(-1)).toMatchObject({ status: 'completed', progress: 100 })
    s1.close()
    s2.close()
  })
})

/** An event stream read as text: `until` waits for some text, `ended` resolves with all of it once the server ends the stream. */
async function streamText(url: string, headers: Record<string, string> = {}) {
  const res = await fetch(url, { headers })
  expect(res.status).toBe(200)
  expect(res.headers.get('content-type')).toMatch(/^text\/event-stream/)
  const reader = res.body!.pipeThrough(new TextDecoderStream()).getReader()
  let text = ''
  const waiters: { test: (t: string) => boolean; resolve: () => void }[] = []
  const ended = (async () => {
    for (;;) {
      const { value, done } = await reader.read()
      if (done) return text
      text += value
      for (const w of waiters.splice(0)) if (w.test(text)) w.resolve()
      else waiters.push(w)
    }
  })()
  return {
    ended,
    until: (test: (t: string) => boolean) => (test(text) ? Promise.resolve() : new Promise<void>((resolve) => waiters.push({ test, resolve }))),
    /** What was read so far. */
    text: () => text,
    close: () => void reader.cancel(),
  }
}
