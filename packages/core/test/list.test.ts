import { describe, expect, it } from 'vitest'
import { openConveyor } from './helpers.ts'

describe('listJobs', () => {
  it('filters by status, type, queue, owner, metadata and text over name, type and payload', async () => {
    const c = await openConveyor()
    await c.enqueueMany([
      { type: 'import', owner: 'a', metadata: { projectId: 'p1' }, payload: { file: 'alpha.csv' } },
      { type: 'export', owner: 'a', queue: 'slow', metadata: { projectId: 'p2' }, name: 'nightly export' },
      { type: 'import', owner: 'b', metadata: { projectId: 'p1' }, payload: { file: 'beta_100%.csv' } },
    ])
    const first = (await c.listJobs({ type: 'import', owner: 'a' })).jobs[0]!
    await c.cancel(first.id)
    expect((await c.listJobs({ type: 'import' })).count).toBe(2)
    expect((await c.listJobs({ queue: 'slow' })).jobs.map((j) => j.type)).toEqual(['export'])
    expect((await c.listJobs({ owner: 'b' })).count).toBe(1)
    expect((await c.listJobs({ status: ['cancelled'] })).jobs.map((j) => j.id)).toEqual([first.id])
    expect((await c.listJobs({ status: ['pending', 'cancelled'] })).count).toBe(3)
    expect((await c.listJobs({ metadata: { projectId: 'p1' } })).count).toBe(2)
    expect((await c.listJobs({ q: 'alpha' })).count).toBe(1)
    expect((await c.listJobs({ q: 'NIGHTLY' })).count).toBe(1)
    expect((await c.listJobs({ q: '100%' })).count).toBe(1)
    expect((await c.listJobs({ q: '%' })).count).toBe(1) // a LIKE wildcard is searched for literally
  })

  it("searches the last error's message too (the error groups' links filter by it)", async () => {
    const c = await openConveyor()
    const [bad] = await c.enqueueMany([{ type: 'fetch', maxAttempts: 1 }, { type: 'fetch' }])
    const [claimed] = await c.jobs.claim({ workerId: 'w', types: ['fetch'], limit: 1, leaseMs: 30_000 })
    expect(claimed!.id).toBe(bad!.id)
    await c.jobs.fail('w', [{ id: bad!.id, attempt: claimed!.attempts, error: { name: 'Error', message: 'Upstream timeout after 30 ms' }, retryable: true }])
    expect((await c.listJobs({ q: 'upstream timeout' })).jobs.map((j) => j.id)).toEqual([bad!.id])
    expect((await c.listJobs({ q: 'fetch' })).count).toBe(2)
  })

  it('refuses unknown statuses and bad cursors with invalid_input', async () => {
    const c = await openConveyor()
    await expect(c.listJobs({ status: ['bogus' as never] })).rejects.toMatchObject({ code: 'invalid_input' })
    await expect(c.listJobs({ cursor: 'nope' })).rejects.toMatchObject({ code: 'invalid_input' })
    await expect(c.listJobs({ limit: 501 })).rejects.toMatchObject({ code: 'invalid_input' })
    const cursor = (o: object) => Buffer.from(JSON.stringify({ t: '2026-01-01T00:00:00.000Z', p: 0, id: '01900000-0000-7000-8000-000000000000', ...o })).toString('base64url')
    for (const bad of [{ p: 1.5 }, { p: 1e10 }, { t: '+275760-09-13T00:00:00.000Z' }, { t: 'soon' }])
      await expect(c.listJobs({ cursor: cursor(bad) })).rejects.toMatchObject({ code: 'invalid_input', message: expect.stringContaining('invalid cursor') })
    await c.enqueueMany([{ type: 'a' }, { type: 'b' }])
    const { nextCursor } = await c.listJobs({ sort: 'queue', limit: 1 })
    await expect(c.listJobs({ sort: 'newest', cursor: nextCursor! })).rejects.toMatchObject({ code: 'invalid_input', message: expect.stringContaining('sort=queue') })
    expect((await c.listJobs({ sort: 'queue', cursor: nextCursor! })).jobs).toHaveLength(1)
    expect((await c.listJobs({ sort: 'newest', cursor: cursor({}) })).jobs).toEqual([]) // an older cursor, without its sort
  })

  it('walks every page with the keyset cursor in each sort, without gaps or repeats', async () => {
    const c = await openConveyor()
    const jobs = await c.enqueueMany(Array.from({ length: 23 }, (_, i) => ({ type: 't', priority: i % 3 })))
    for (const sort of ['newest', 'oldest', 'queue'] as const) {
      const seen: string[] = []
      let cursor: string | undefined
      do {
        const page = await c.listJobs({ sort, limit: 5, ...(cursor ? { cursor } : {}) })
        expect(page.count).toBe(23)
        seen.push(...page.jobs.map((j) => j.id))
        cursor = page.nextCursor ?? undefined
      } while (cursor)
      expect(seen).toHaveLength(23)
      expect(new Set(seen).size).toBe(23)
      if (sort === 'oldest') expect(seen).toEqual(jobs.map((j) => j.id))
      if (sort === 'newest') expect(seen).toEqual(jobs.map((j) => j.id).reverse())
      if (sort === 'queue') {
        const all = await Promise.all(seen.map((id) => c.getJob(id)))
        const prios = all.map((j) => j!.priority)
        expect(prios).toEqual([...prios].sort((a, b) => b - a))
      }
    }
  })

  it('pages with limit and offset, and filters by creation time', async () => {
    const c = await openConveyor()
    const jobs = await c.enqueueMany(Array.from({ length: 7 }, () => ({ type: 't' })))
    const page = await c.listJobs({ sort: 'oldest', limit: 3, offset: 3 })
    expect(page.jobs.map((j) => j.id)).toEqual(jobs.slice(3, 6).map((j) => j.id))
    const future = new Date(Date.now() + 3600_000)
    expect((await c.listJobs({ createdAfter: future })).count).toBe(0)
    expect((await c.listJobs({ createdBefore: future.toISOString() })).count).toBe(7)
  })
})

describe('stats, purge and bulk actions', () => {
  it('counts by status, split into ready and scheduled, filterable by queue and type', async () => {
    const c = await openConveyor()
    await c.enqueueMany([{ type: 'a' }, { type: 'a', delayMs: 3600_000 }, { type: 'b', queue: 'q2' }])
    const cancelled = await c.enqueue({ type: 'b' })
    await c.cancel(cancelled.id)
    expect(await c.stats()).toEqual({ pending: 3, scheduled: 1, running: 0, completed: 0, failed: 0, cancelled: 1, total: 4 })
    expect((await c.stats({ queue: 'q2' })).total).toBe(1)
    expect((await c.stats({ type: 'a' })).pending).toBe(2)
  })

  it('purge deletes completed jobs by default, others when asked, never running ones', async () => {
    const c = await openConveyor()
    const [a, b] = await c.enqueueMany([{ type: 'x' }, { type: 'x' }, { type: 'x' }])
    const claimed = await c.jobs.claim({ workerId: 'w', limit: 2, leaseMs: 60_000 })
    await c.jobs.complete('w', [{ id: a!.id, attempt: 1 }])
    expect(claimed.map((j) => j.id)).toEqual([a!.id, b!.id])
    expect(await c.purge({ olderThan: new Date(Date.now() - 3600_000) })).toBe(0)
    expect(await c.purge()).toBe(1)
    expect(await c.getJob(a!.id)).toBeNull()
    await expect(c.purge({ status: ['running'] })).rejects.toMatchObject({ code: 'invalid_input' })
    expect(await c.purge({ status: ['pending'] })).toBe(1)
    expect((await c.stats()).running).toBe(1)
  })

  it('bulk retry, cancel and delete by ids and by filter touch only jobs whose state allows it', async () => {
    const c = await openConveyor()
    const jobs = await c.enqueueMany(Array.from({ length: 6 }, (_, i) => ({ type: i < 3 ? 'a' : 'b' })))
    expect(await c.bulk({ action: 'cancel', filter: { type: 'a' } })).toBe(3)
    expect(await c.bulk({ action: 'cancel', filter: { type: 'a' } })).toBe(0)
    expect(await c.bulk({ action: 'retry', ids: [jobs[0]!.id, jobs[3]!.id] })).toBe(1)
    expect(await c.bulk({ action: 'delete', ids: [jobs[1]!.id], filter: { type: 'a' } })).toBe(1)
    expect(await c.bulk({ action: 'delete', filter: { status: ['cancelled'] } })).toBe(1)
    expect((await c.stats()).total).toBe(4)
    await expect(c.bulk({ action: 'delete' })).rejects.toMatchObject({ code: 'invalid_input' })
  })
})

describe('events', () => {
  it('publishes one event per job for a batch of 1,500, packed into few notifications', async () => {
    const c = await openConveyor()
    const ids = new Set<string>()
    let resolve!: () => void
    const all = new Promise<void>((r) => (resolve = r))
    const off = await c.subscribe((e) => {
      if (e.status === 'pending') ids.add(e.id)
      if (ids.size === 1500) resolve()
    })
    const jobs = await c.enqueueMany(Array.from({ length: 1500 }, (_, i) => ({ type: 'x', owner: `user-${i}`, queue: 'q'.repeat(100) })))
    await all
    off()
    expect(jobs.every((j) => ids.has(j.id))).toBe(true)
  })

  it('publishes events of jobs whose progress messages are as long and as wide as allowed (no NOTIFY over its 8000 bytes)', async () => {
    const c = await openConveyor()
    const jobs = await c.enqueueMany(Array.from({ length: 20 }, () => ({ type: 'wide', owner: '\u0001'.repeat(256) })))
    const claimed = await c.jobs.claim({ workerId: 'w', types: ['wide'], limit: 20, leaseMs: 30_000 })
    expect(claimed).toHaveLength(20)
    const completed = new Set<string>()
    const messages = new Map<string, string | null>()
    let resolve!: () => void
    const all = new Promise<void>((r) => (resolve = r))
    const off = await c.subscribe((e) => {
      if (e.status === 'completed') completed.add(e.id)
      else if (e.progress === 50) messages.set(e.id, e.progressMessage)
      if (completed.size === 20) resolve()
    })
    // 1000 characters each 6 bytes in JSON (\u0001), or 3 bytes in UTF-8 (日): a job's event alone
    // can outgrow a NOTIFY, and a few of them together did.
    const message = (i: number) => (i % 2 ? '\u0001' : '日').repeat(1000)
    const written = await c.jobs.progress('w', claimed.map((j, i) => ({ id: j.id, attempt: j.attempts, progress: 50, message: message(i) })))
    expect(written.size).toBe(20)
    const done = await c.jobs.complete('w', claimed.map((j) => ({ id: j.id, attempt: j.attempts })))
    expect(done.size).toBe(20)
    await all
    off()
    expect(jobs.every((j) => completed.has(j.id))).toBe(true)
    // Events carry the message's first 500 characters; the job has it whole.
    const i = claimed.findIndex((j) => j.id === jobs[1]!.id)
    expect(messages.get(jobs[1]!.id)).toBe(message(i).slice(0, 500))
    expect((await c.getJob(jobs[1]!.id))?.progressMessage).toBe(message(i))
  })
})
