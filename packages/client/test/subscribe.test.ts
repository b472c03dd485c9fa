import { describe, expect, it } from 'vitest'
import { createClient } from '../src/index.ts'
import { failuresAfter, STABLE_STREAM_MS } from '../src/sse-stream.ts'
import { record } from './events.ts'
import { openStreams, startTestServer, untilOpenStreams } from './helpers.ts'

describe('subscribe', () => {
  it('receives the events of a queue as jobs are enqueued, make progress and complete', async () => {
    const { admin, conveyor } = await startTestServer({ events: { coalesceMs: 0 } })
    const sub = record(admin, { queue: 'web' })
    await sub.state('open')
    const { job } = await admin.enqueue({ type: 'scan', queue: 'web' })
    await admin.enqueue({ type: 'scan', queue: 'other' })
    expect(await sub.next((e) => e.id === job.id)).toMatchObject({ id: job.id, status: 'pending', queue: 'web', type: 'scan', progress: 0 })

    const [claimed] = await conveyor.jobs.claim({ workerId: 'w', queues: ['web'], types: null, limit: 1, leaseMs: 30_000 })
    await conveyor.jobs.progress('w', [{ id: claimed!.id, attempt: 1, progress: 60, message: 'most' }])
    expect(await sub.next((e) => e.progress === 60)).toMatchObject({ status: 'running', progressMessage: 'most' })
    await conveyor.jobs.complete('w', [{ id: job.id, attempt: 1, result: null }])
    await sub.next((e) => e.status === 'completed')
    expect(sub.events.every((e) => e.queue === 'web')).toBe(true)
  })

  it('with ids, delivers each job’s current state first, then its changes only', async () => {
    const { admin } = await startTestServer({ events: { coalesceMs: 0 } })
    const { job: a } = await admin.enqueue({ type: 'scan' })
    const { job: b } = await admin.enqueue({ type: 'scan' })
    await admin.cancel(a.id)
    const sub = record(admin, { ids: [a.id] })
    expect(await sub.next((e) => e.id === a.id)).toMatchObject({ status: 'cancelled' })
    await sub.state('open')
    await admin.cancel(b.id)
    await admin.retry(a.id)
    await sub.next((e) => e.id === a.id && e.status === 'pending')
    expect(sub.events.map((e) => `${e.id === a.id ? 'a' : 'b'}:${e.status}`)).toEqual(['a:cancelled', 'a:pending'])
  })

  it('reopens the stream after the server closes it, and catches up on what changed meanwhile', async () => {
    const t = await startTestServer({ events: { coalesceMs: 0 } })
    const sub = record(t.admin, { queue: 'web' })
    await sub.state('open')
    const { job: before } = await t.admin.enqueue({ type: 'scan', queue: 'web' })
    await sub.next((e) => e.id === before.id)

    await t.server.close()
    // The server is gone: the subscription notices, and polls (failing) while it can't reopen.
    await sub.state('polling')
    const whileDown = await t.conveyor.enqueue({ type: 'scan', queue: 'web' })
    await t.restart()
    await sub.state('open')
    // Missed while no stream was open, delivered by the catch-up read when the new stream opened.
    expect(await sub.next((e) => e.id === whileDown.id)).toMatchObject({ status: 'pending' })

    const { job: after } = await t.admin.enqueue({ type: 'scan', queue: 'web' })
    expect(await sub.next((e) => e.id === after.id)).toMatchObject({ status: 'pending' })
    expect(sub.events.filter((e) => e.id === whileDown.id)).toHaveLength(1)
  })

  it('polls when the event stream can’t be opened (a proxy refusing it), still delivering changes', async () => {
    const t = await startTestServer()
    const client = createClient({
      baseUrl: t.url,
      key: t.adminKey,
      fetch: (input, init) =>
        String(input).includes('/api/events')
          ? Promise.resolve(new Response('streaming not allowed here', { status: 502 }))
          : fetch(input, init),
    })
    const sub = record(client, { type: 'scan' }, { maxReconnectDelayMs: 60_000 })
    await sub.state('polling')
    const { job } = await client.enqueue({ type: 'scan' })
    expect(await sub.next((e) => e.id === job.id)).toMatchObject({ status: 'pending', type: 'scan' })
    await client.cancel(job.id)
    await sub.next((e) => e.id === job.id && e.status === 'cancelled')
    expect(sub.states).not.toContain('open')
  })

  it('in poll mode never opens a stream, and stops when unsubscribed', async () => {
    const t = await startTestServer()
    const opened: string[] = []
    const client = createClient({
      baseUrl: t.url,
      key: t.adminKey,
      fetch: (input, init) => {
        opened.push(new URL(String(input)).pathname)
        return fetch(input, init)
      },
    })
    const { job } = await client.enqueue({ type: 'scan' })
    const sub = record(client, { ids: [job.id] }, { mode: 'poll' })
    expect(await sub.next((e) => e.id === job.id)).toMatchObject({ status: 'pending' })
    sub.unsubscribe()
    await sub.state('closed')
    expect(opened).not.toContain('/api/events')
  })

  it('ends its stream on unsubscribe: the server counts no open stream afterwards', async () => {
    const t = await startTestServer()
    const sub = record(t.admin, {})
    await sub.state('open')
    expect(await openStreams(t.admin)).toBe(1)
    sub.unsubscribe()
    await sub.state('closed')
    await untilOpenStreams(t.admin, 0)
    expect(sub.states.at(-1)).toBe('closed')
  })

  it('catches up after a reconnect even when it had seen no event before (a quiet queue)', async () => {
    const t = await startTestServer({ events: { coalesceMs: 0 } })
    const sub = record(t.admin, { queue: 'web' })
    await sub.state('open')
    await t.server.close()
    await sub.state('polling')
    const whileDown = await t.conveyor.enqueue({ type: 'scan', queue: 'web' })
    await t.restart()
    expect(await sub.next((e) => e.id === whileDown.id)).toMatchObject({ status: 'pending' })
  })

  it('delivers nothing after unsubscribe, not even the rest of a chunk of events being read', async () => {
    const { admin } = await startTestServer()
    let delivered = 0
    let off = () => {}
    const opened = new Promise<void>((resolve) => {
      off = admin.subscribe(
        { queue: 'web' },
        () => {
          delivered++
          off()
        },
        { onStateChange: (s) => s === 'open' && resolve() },
      )
    })
    await opened
    // One statement, five events: the server's coalescing window sends them in one chunk.
    await admin.enqueueBatch(Array.from({ length: 5 }, () => ({ type: 'scan', queue: 'web' })))
    await untilOpenStreams(admin, 0)
    expect(delivered).toBe(1)
  })
})

describe('reopening streams', () => {
  it('counts a stream that ended soon after opening as a failed attempt, so the wait grows; one that lasted resets it', () => {
    expect(failuresAfter(0, { outcome: 'ended', openMs: 10 })).toBe(1)
    expect(failuresAfter(3, { outcome: 'ended', openMs: STABLE_STREAM_MS - 1 })).toBe(4)
    expect(failuresAfter(3, { outcome: 'ended', openMs: STABLE_STREAM_MS })).toBe(0)
    expect(failuresAfter(3, { outcome: 'unavailable', error: new Error('refused') })).toBe(4)
  })
})

