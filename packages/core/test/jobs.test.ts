import { describe, expect, it } from 'vitest'
import { ConveyorError } from '../src/index.ts'
import { jsonText } from '../src/jobs/json-text.ts'
import { openConveyor } from './helpers.ts'

describe('enqueue and read', () => {
  it('enqueues a job with defaults and reads it back with an empty attempt log', async () => {
    const c = await openConveyor()
    const job = await c.enqueue({ type: 'scan', payload: { url: 'https://example.com' }, owner: 'u1' })
    expect(job).toMatchObject({ type: 'scan', queue: 'default', status: 'pending', attempts: 0, maxAttempts: 3, owner: 'u1', source: 'api', progress: 0 })
    const read = await c.getJob(job.id)
    expect(read?.payload).toEqual({ url: 'https://example.com' })
    expect(read?.attemptLog).toEqual([])
  })

  it('refuses bad input with invalid_input naming the field, and writes nothing', async () => {
    const c = await openConveyor()
    for (const bad of [{ type: '' }, { type: 'x', priority: 1.5 }, { type: 'x', maxAttempts: 0 }, { type: 'x', bogus: 1 }, { type: 'x', runAt: 'soon' }]) {
      const err = await c.enqueue(bad as never).catch((e: unknown) => e)
      expect(err).toBeInstanceOf(ConveyorError)
      expect((err as ConveyorError).code).toBe('invalid_input')
    }
    await expect(c.enqueueMany([{ type: 'ok' }, { type: '' }])).rejects.toMatchObject({ code: 'invalid_input', message: expect.stringContaining('index 1') })
    expect((await c.stats()).total).toBe(0)
  })

  it('getJob of an unknown or malformed id is null', async () => {
    const c = await openConveyor()
    expect(await c.getJob('00000000-0000-7000-8000-000000000000')).toBeNull()
    expect(await c.getJob('not-a-uuid')).toBeNull()
  })
})

describe('transitions', () => {
  it('cancel: pending → cancelled; a finished job answers invalid_transition', async () => {
    const c = await openConveyor()
    const job = await c.enqueue({ type: 'x' })
    const cancelled = await c.cancel(job.id)
    expect(cancelled.status).toBe('cancelled')
    expect(cancelled.completedAt).toBeInstanceOf(Date)
    await expect(c.cancel(job.id)).rejects.toMatchObject({ code: 'invalid_transition', details: { status: 'cancelled' } })
    await expect(c.cancel('01a20000-0000-7000-8000-000000000000')).rejects.toMatchObject({ code: 'job_not_found' })
  })

  it('retry: cancelled → pending with attempts 0; pending answers invalid_transition', async () => {
    const c = await openConveyor()
    const job = await c.enqueue({ type: 'x' })
    await expect(c.retry(job.id)).rejects.toMatchObject({ code: 'invalid_transition' })
    await c.cancel(job.id)
    const again = await c.retry(job.id)
    expect(again).toMatchObject({ status: 'pending', attempts: 0, completedAt: null, cancelRequested: false })
  })

  it('remove deletes a pending job and refuses a running one', async () => {
    const c = await openConveyor()
    const a = await c.enqueue({ type: 'x' })
    await c.remove(a.id)
    expect(await c.getJob(a.id)).toBeNull()
    const b = await c.enqueue({ type: 'x' })
    await c.jobs.claim({ workerId: 'w', limit: 1, leaseMs: 60_000 })
    await expect(c.remove(b.id)).rejects.toMatchObject({ code: 'invalid_transition', message: expect.stringContaining('cancel it first') })
    await expect(c.remove(a.id)).rejects.toMatchObject({ code: 'job_not_found' })
  })

  it('cancel of a running job sets cancelRequested and keeps it running until its worker ends it', async () => {
    const c = await openConveyor()
    const job = await c.enqueue({ type: 'x' })
    const [claimed] = await c.jobs.claim({ workerId: 'w', limit: 1, leaseMs: 60_000 })
    const res = await c.cancel(job.id)
    expect(res).toMatchObject({ status: 'running', cancelRequested: true })
    const failed = await c.jobs.fail('w', [{ id: job.id, attempt: claimed!.attempts, error: { name: 'CancelledError', message: 'job was cancelled' }, retryable: false, outcome: 'cancelled' }])
    expect(failed.get(job.id)).toBe('cancelled')
    const final = await c.getJob(job.id)
    expect(final?.attemptLog?.[0]?.outcome).toBe('cancelled')
  })

  it('owner scope: another owner’s job is not found by get, cancel, retry or remove', async () => {
    const c = await openConveyor()
    const job = await c.enqueue({ type: 'x', owner: 'alice' })
    expect(await c.getJob(job.id, { owner: 'bob' })).toBeNull()
    await expect(c.cancel(job.id, { owner: 'bob' })).rejects.toMatchObject({ code: 'job_not_found' })
    await expect(c.remove(job.id, { owner: 'bob' })).rejects.toMatchObject({ code: 'job_not_found' })
    expect((await c.listJobs({}, { owner: 'bob' })).count).toBe(0)
    expect((await c.stats({}, { owner: 'bob' })).total).toBe(0)
    expect(await c.bulk({ action: 'cancel', filter: {} }, { owner: 'bob' })).toBe(0)
    expect((await c.getJob(job.id, { owner: 'alice' }))?.status).toBe('pending')
  })

  it("owner scope: filtering by another owner finds nothing, and never the caller's own jobs", async () => {
    const c = await openConveyor()
    const alices = await c.enqueue({ type: 'x', owner: 'alice' })
    const bobs = await c.enqueue({ type: 'x', owner: 'bob' })
    const alice = { owner: 'alice' }
    expect((await c.listJobs({ owner: 'bob' }, alice)).jobs).toEqual([])
    expect((await c.stats({ owner: 'bob' }, alice)).total).toBe(0)
    expect(await c.bulk({ action: 'cancel', filter: { owner: 'bob' } }, alice)).toBe(0)
    expect(await c.bulk({ action: 'delete', filter: { owner: 'bob' } }, alice)).toBe(0)
    expect((await c.getJob(alices.id))?.status).toBe('pending')
    expect((await c.getJob(bobs.id))?.status).toBe('pending')
    expect((await c.listJobs({ owner: 'alice' }, alice)).jobs.map((j) => j.id)).toEqual([alices.id])
  })
})

describe('idempotency', () => {
  it('a second enqueue with the same key and owner returns the first job; other owners get their own', async () => {
    const c = await openConveyor()
    const first = await c.submit({ type: 'x', idempotencyKey: 'k', owner: 'a' })
    const again = await c.submit({ type: 'x', idempotencyKey: 'k', owner: 'a', payload: { other: true } })
    expect(again).toMatchObject({ duplicate: true, job: { id: first.job.id } })
    const other = await c.submit({ type: 'x', idempotencyKey: 'k', owner: 'b' })
    expect(other.duplicate).toBe(false)
    const noOwner = await c.submit({ type: 'x', idempotencyKey: 'k' })
    const noOwner2 = await c.submit({ type: 'x', idempotencyKey: 'k' })
    expect(noOwner2.job.id).toBe(noOwner.job.id)
    expect((await c.stats()).total).toBe(3)
  })

  it('100 concurrent enqueues with one key make one job, and every call returns it', async () => {
    const c = await openConveyor()
    const results = await Promise.all(Array.from({ length: 100 }, () => c.submit({ type: 'x', idempotencyKey: 'same', owner: 'o' })))
    expect(new Set(results.map((r) => r.job.id)).size).toBe(1)
    expect(results.filter((r) => !r.duplicate)).toHaveLength(1)
    expect((await c.stats()).total).toBe(1)
  })

  it('enqueueMany with repeated keys inside one batch makes one job per key', async () => {
    const c = await openConveyor()
    const jobs = await c.enqueueMany([{ type: 'x', idempotencyKey: 'a' }, { type: 'x', idempotencyKey: 'a' }, { type: 'x', idempotencyKey: 'b' }])
    expect(jobs[0]!.id).toBe(jobs[1]!.id)
    expect(jobs[2]!.id).not.toBe(jobs[0]!.id)
    expect((await c.stats()).total).toBe(2)
  })

  it('the key is free again once its job is deleted', async () => {
    const c = await openConveyor()
    const a = await c.enqueue({ type: 'x', idempotencyKey: 'k' })
    await c.remove(a.id)
    const b = await c.enqueue({ type: 'x', idempotencyKey: 'k' })
    expect(b.id).not.toBe(a.id)
  })
})

describe('strings PostgreSQL refuses in JSON', () => {
  it('writes a lone UTF-16 surrogate and NUL as U+FFFD and keeps escaped backslashes and whole emoji', () => {
    expect(JSON.parse(jsonText({ a: 'x\ud83d', b: '\\ud83d', c: '😀', '\udc00k': ['\ud83d\ud83d'], n: 'a\u0000b', m: '\\u0000' }))).toEqual({
      a: 'x\ufffd',
      b: '\\ud83d',
      c: '😀',
      '\ufffdk': ['\ufffd\ufffd'],
      n: 'a\ufffdb',
      m: '\\u0000',
    })
  })

  it('the enqueue answer shows a payload and metadata as stored (U+FFFD for NUL and lone surrogates), alone and in a batch', async () => {
    const c = await openConveyor()
    const odd = { payload: { s: 'a\u0000b', t: 'x\ud83d' }, metadata: { k: 'n\u0000' } }
    const stored = { payload: { s: 'a\ufffdb', t: 'x\ufffd' }, metadata: { k: 'n\ufffd' } }
    const alone = await c.enqueue({ type: 'odd', ...odd })
    const [inBatch, plain] = await c.enqueueMany([{ type: 'odd', ...odd }, { type: 'plain', payload: { s: 'ok' } }])
    for (const job of [alone, inBatch!]) {
      expect(job).toMatchObject(stored)
      expect(await c.getJob(job.id)).toMatchObject(stored)
    }
    expect(plain).toMatchObject({ payload: { s: 'ok' } })
  })

  it("a half emoji or a NUL in one job's result, error or progress message does not fail the others sharing its statement", async () => {
    const c = await openConveyor()
    await c.enqueueMany(Array.from({ length: 4 }, () => ({ type: 'odd', maxAttempts: 1 })))
    const [a, b, d, e] = await c.jobs.claim({ workerId: 'w', types: ['odd'], limit: 4, leaseMs: 30_000 })
    const cut = ('x'.repeat(999) + '😀').slice(0, 1000) // ends in half of the emoji
    const progressed = await c.jobs.progress('w', [
      { id: a!.id, attempt: 1, progress: 10, message: cut },
      { id: b!.id, attempt: 1, progress: 20, message: 'fine' },
    ])
    expect(progressed).toEqual(new Set([a!.id, b!.id]))
    expect((await c.getJob(a!.id))?.progressMessage).toBe(`${'x'.repeat(999)}\ufffd`)
    const completed = await c.jobs.complete('w', [
      { id: a!.id, attempt: 1, result: { text: cut } },
      { id: b!.id, attempt: 1, result: { ok: true, nul: 'a\u0000b' } },
    ])
    expect(completed).toEqual(new Set([a!.id, b!.id]))
    expect((await c.getJob(a!.id))?.result).toEqual({ text: `${'x'.repeat(999)}\ufffd` })
    expect((await c.getJob(b!.id))?.result).toEqual({ ok: true, nul: 'a\ufffdb' })
    const failed = await c.jobs.fail('w', [
      { id: d!.id, attempt: 1, error: { name: 'Error', message: cut }, retryable: true },
      { id: e!.id, attempt: 1, error: { name: 'Error', message: 'plain' }, retryable: true },
    ])
    expect([...failed.values()]).toEqual(['failed', 'failed'])
    expect((await c.getJob(d!.id))?.lastError?.message).toBe(`${'x'.repeat(999)}\ufffd`)
  })

  it('refuses a NUL or a lone surrogate in the texts of a job, and a NUL in a filter, with invalid_input', async () => {
    const c = await openConveyor()
    for (const [input, message] of [
      [{ type: 'a\u0000b' }, 'type: must not contain NUL'],
      [{ type: 'x', name: 'n\u0000' }, 'name: must not contain NUL'],
      [{ type: 'x', owner: 'u\ud83d' }, 'owner: must not contain a lone UTF-16 surrogate'],
    ] as const) {
      await expect(c.enqueue(input)).rejects.toMatchObject({ code: 'invalid_input', message: expect.stringContaining(message) })
      await expect(c.enqueueMany([{ type: 'fine' }, input])).rejects.toMatchObject({ code: 'invalid_input', message: expect.stringContaining(`index 1: ${message}`) })
    }
    await expect(c.listJobs({ type: 'a\u0000' })).rejects.toMatchObject({ code: 'invalid_input' })
    expect((await c.stats()).total).toBe(0)
  })
})

describe('claimed jobs', () => {
  it('a claimed job (read back as one JSON text per row) equals the job as getJob reads it, field for field', async () => {
    const c = await openConveyor()
    const runAt = new Date(Date.now() - 60_000)
    const { id } = await c.enqueue({
      type: 'scan',
      queue: 'q1',
      name: 'Ünïcode "quoted" \\ name',
      payload: { n: 1.5, big: 12345678901234, nested: { a: [1, 'two', null, true] }, s: 'line\nbreak ✓' },
      priority: -7,
      runAt,
      maxAttempts: 5,
      timeoutMs: 2500,
      backoff: { type: 'fixed', delayMs: 250 },
      idempotencyKey: 'k-1',
      owner: 'user-1',
      metadata: { tag: 'x', deep: { y: [2] } },
    })
    const [claimed] = await c.jobs.claim({ workerId: 'w-1', queues: ['q1'], limit: 1, leaseMs: 30_000 })
    const read = await c.getJob(id)
    const { attemptLog: _log, ...stored } = read!
    expect(claimed).toEqual(stored)
    expect(claimed).toMatchObject({ status: 'running', attempts: 1, lockedBy: 'w-1', runAt, progress: 0, result: null, completedAt: null })
    for (const k of ['runAt', 'lockedAt', 'leaseExpiresAt', 'createdAt', 'startedAt', 'updatedAt'] as const) expect(claimed![k]).toBeInstanceOf(Date)
  })
})
