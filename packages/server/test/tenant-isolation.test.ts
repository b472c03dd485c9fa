import { describe, expect, it } from 'vitest'
import { admin, openApp, openStream, startTestServer } from './helpers.ts'

describe('tenant isolation: a user token sees and acts on its owner only', () => {
  it("takes the owner from the token: none in the body is alice's, another owner in the body is refused", async () => {
    const { call, tokenFor } = await openApp()
    const alice = await tokenFor('alice')
    const own = await call('POST', '/api/jobs', alice, { type: 'a' })
    expect(own.status).toBe(201)
    expect(own.body.job.owner).toBe('alice')
    expect((await call('POST', '/api/jobs', alice, { type: 'a', owner: 'alice' })).body.job.owner).toBe('alice')

    const other = await call('POST', '/api/jobs', alice, { type: 'a', owner: 'bob' })
    expect(other.status).toBe(403)
    const batch = await call('POST', '/api/jobs/batch', alice, { jobs: [{ type: 'a' }, { type: 'a', owner: 'bob' }] })
    expect(batch.status).toBe(403)
    expect(batch.body.error.details[0].path).toBe('jobs.1.owner')
    expect((await call('GET', '/api/jobs/stats')).body.stats.total).toBe(2)
    expect((await call('GET', '/api/jobs?owner=bob')).body.count).toBe(0)
  })

  it("answers 404 for another owner's job on every job route, and leaves it untouched", async () => {
    const { call, tokenFor } = await openApp()
    const alice = await tokenFor('alice')
    const bobsJob = (await call('POST', '/api/jobs', await tokenFor('bob'), { type: 'a' })).body.job
    const unowned = (await call('POST', '/api/jobs', admin, { type: 'a' })).body.job
    for (const id of [bobsJob.id, unowned.id]) {
      for (const [method, path] of [
        ['GET', `/api/jobs/${id}`],
        ['POST', `/api/jobs/${id}/cancel`],
        ['POST', `/api/jobs/${id}/retry`],
        ['DELETE', `/api/jobs/${id}`],
      ] as const) {
        const res = await call(method, path, alice)
        expect(res.status, `${method} ${path}`).toBe(404)
        expect(res.body.error.code).toBe('job_not_found')
      }
      expect((await call('GET', `/api/jobs/${id}`)).body.job.status).toBe('pending')
    }
  })

  it('lists, counts and bulk-acts (by filter and by ids) on the owner’s jobs only', async () => {
    const { call, tokenFor } = await openApp()
    const alice = await tokenFor('alice')
    const bob = await tokenFor('bob')
    await call('POST', '/api/jobs/batch', alice, { jobs: [{ type: 'a' }, { type: 'b' }] })
    const bobsJob = (await call('POST', '/api/jobs', bob, { type: 'a', idempotencyKey: 'same' })).body.job
    await call('POST', '/api/jobs', admin, { type: 'a' })

    const list = await call('GET', '/api/jobs', alice)
    expect(list.body.count).toBe(2)
    expect(list.body.jobs.every((j: { owner: string }) => j.owner === 'alice')).toBe(true)
    expect((await call('GET', '/api/jobs/stats', alice)).body.stats).toMatchObject({ pending: 2, total: 2 })
    // Asking for another owner's jobs finds none — neither bob's nor, in their place, alice's own.
    expect((await call('GET', '/api/jobs?owner=bob', alice)).body).toMatchObject({ count: 0, jobs: [] })
    expect((await call('GET', '/api/jobs/stats?owner=bob', alice)).body.stats).toMatchObject({ total: 0 })
    expect((await call('POST', '/api/jobs/bulk', alice, { action: 'delete', filter: { owner: 'bob' } })).body).toEqual({ affected: 0 })

    expect((await call('POST', '/api/jobs/bulk', alice, { action: 'cancel', ids: [bobsJob.id] })).body).toEqual({ affected: 0 })
    expect((await call('POST', '/api/jobs/bulk', alice, { action: 'cancel', filter: {} })).body).toEqual({ affected: 2 })
    expect((await call('POST', '/api/jobs/bulk', alice, { action: 'delete', filter: { owner: 'alice' } })).body).toEqual({ affected: 2 })
    expect((await call('GET', '/api/jobs/stats')).body.stats).toMatchObject({ pending: 2, cancelled: 0, total: 2 })

    // Idempotency keys are per owner: alice's "same" is not bob's.
    const alicesSame = await call('POST', '/api/jobs', alice, { type: 'a', idempotencyKey: 'same' })
    expect(alicesSame.status).toBe(201)
    expect(alicesSame.body.job.id).not.toBe(bobsJob.id)
  })

  it("never streams another owner's events to a user token; an admin stream gets them all", async () => {
    const { server, call, tokenFor } = await startTestServer()
    const alice = await tokenFor('alice')
    const bob = await tokenFor('bob')
    const aliceStream = await openStream(server.url, `?token=${alice.authorization!.slice(7)}`)
    const adminStream = await openStream(server.url, `?token=${admin.authorization!.slice(7)}`)
    const bobsJob = (await call('POST', '/api/jobs', bob, { type: 'a' })).body.job
    const unowned = (await call('POST', '/api/jobs', admin, { type: 'a' })).body.job
    await call('POST', '/api/jobs/bulk', admin, { action: 'cancel', filter: {} }) // more events of bob's job
    const alicesJob = (await call('POST', '/api/jobs', alice, { type: 'a' })).body.job

    // Events arrive in commit order: once alice's job shows, every earlier event was delivered or filtered.
    const seenByAlice = await aliceStream.until((e) => e.id === alicesJob.id)
    expect(seenByAlice.map((e) => e.owner)).toEqual(['alice'])
    const seenByAdmin = await adminStream.until((e) => e.id === alicesJob.id)
    expect(new Set(seenByAdmin.map((e) => e.id))).toEqual(new Set([bobsJob.id, unowned.id, alicesJob.id]))
    aliceStream.close()
    adminStream.close()
  })
})
