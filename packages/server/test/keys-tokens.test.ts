import { hashKey, KeyStore } from '@conveyor/core'
import { describe, expect, it } from 'vitest'
import { bootstrapAdminKey, buildApp } from '../src/index.ts'
import { admin, bearer, openApp, openConveyor } from './helpers.ts'

describe('API keys', () => {
  it('creates a random key shown once, stores only its hash, lists keys without secrets, and revokes', async () => {
    const { call, conveyor } = await openApp()
    const created = await call('POST', '/api/keys', admin, { name: 'backend', role: 'producer' })
    expect(created.status).toBe(201)
    expect(created.body).toMatchObject({ name: 'backend', role: 'producer' })
    expect(created.body.key).toMatch(/^cvk_[A-Za-z0-9_-]{43}$/)
    const second = (await call('POST', '/api/keys', admin, { name: 'backend', role: 'producer' })).body
    expect(second.key).not.toBe(created.body.key)

    const listed = await call('GET', '/api/keys')
    expect(listed.body.keys).toHaveLength(2)
    expect(JSON.stringify(listed.body)).not.toContain(created.body.key)
    expect(JSON.stringify(listed.body)).not.toContain(hashKey(created.body.key))
    expect(Object.keys(listed.body.keys[0]).sort()).toEqual(['createdAt', 'id', 'lastUsedAt', 'name', 'revokedAt', 'role'])
    // Stored as a hash: the key store finds it by the key, and nothing stored equals the key.
    const keys = new KeyStore(conveyor.db, conveyor.schema)
    expect((await keys.findByKey(created.body.key))?.id).toBe(created.body.id)

    expect((await call('GET', '/api/jobs', bearer(created.body.key))).status).toBe(200)
    const revoked = await call('DELETE', `/api/keys/${created.body.id}`)
    expect(revoked.body.key).toMatchObject({ id: created.body.id })
    expect(revoked.body.key.revokedAt).not.toBeNull()
    expect((await call('GET', '/api/jobs', bearer(created.body.key))).status).toBe(401)
    expect((await call('GET', '/api/jobs', bearer(second.key))).status).toBe(200)
    expect((await call('DELETE', '/api/keys/01a20000-0000-7000-8000-000000000000')).status).toBe(404)
  })

  it('bootstraps one first admin key when none is configured or stored, and none when CONVEYOR_ADMIN_KEY is set', async () => {
    const conveyor = await openConveyor()
    expect(await bootstrapAdminKey(conveyor, { adminKey: 'configured-admin-key-0123' })).toBeNull()
    const [first, concurrent] = await Promise.all([bootstrapAdminKey(conveyor), bootstrapAdminKey(conveyor)])
    const generated = first ?? concurrent
    expect([first, concurrent].filter(Boolean)).toHaveLength(1)
    expect(await bootstrapAdminKey(conveyor)).toBeNull()

    const app = await buildApp({ conveyor })
    try {
      const res = await app.inject({ method: 'POST', url: '/api/keys', headers: bearer(generated!), payload: { name: 'n', role: 'viewer' } })
      expect(res.statusCode).toBe(201)
    } finally {
      await app.close()
    }
  })
})

describe('user tokens', () => {
  it('mints a token for one owner with an expiry; it works without a database read of keys', async () => {
    const { call, keyFor } = await openApp()
    const producer = await keyFor('producer')
    const res = await call('POST', '/api/tokens', producer, { owner: 'alice', ttlSeconds: 600 })
    expect(res.status).toBe(201)
    expect(res.body.token).toMatch(/^cvt_/)
    expect(res.body.owner).toBe('alice')
    const ttl = Date.parse(res.body.expiresAt) - Date.now()
    expect(ttl).toBeGreaterThan(0)
    expect(ttl).toBeLessThanOrEqual(600_000)
    expect((await call('POST', '/api/jobs', bearer(res.body.token), { type: 'a' })).body.job.owner).toBe('alice')
  })

  it('shares the token secret between servers of one database when none is configured', async () => {
    const conveyor = await openConveyor()
    const one = await buildApp({ conveyor, adminKey: 'configured-admin-key-0123' })
    const two = await buildApp({ conveyor })
    try {
      const minted = await one.inject({ method: 'POST', url: '/api/tokens', headers: bearer('configured-admin-key-0123'), payload: { owner: 'o' } })
      const used = await two.inject({ method: 'GET', url: '/api/jobs', headers: bearer(minted.json().token) })
      expect(used.statusCode).toBe(200)
    } finally {
      await Promise.all([one.close(), two.close()])
    }
  })
})

describe('rate limits on enqueue', () => {
  it('answers 429 with Retry-After per user token once its burst is spent; other callers are unaffected', async () => {
    const { call, tokenFor } = await openApp({ rateLimit: { token: { perSecond: 0.01, burst: 2 } } })
    const alice = await tokenFor('alice')
    expect((await call('POST', '/api/jobs', alice, { type: 'a' })).status).toBe(201)
    expect((await call('POST', '/api/jobs/enqueue', alice, { type: 'a' })).status).toBe(201)
    const limited = await call('POST', '/api/jobs', alice, { type: 'a' })
    expect(limited.status).toBe(429)
    expect(limited.body.error.code).toBe('rate_limited')
    expect(Number(limited.headers['retry-after'])).toBeGreaterThanOrEqual(1)
    expect((await call('POST', '/api/jobs/batch', alice, { jobs: [{ type: 'a' }] })).status).toBe(429)

    expect((await call('POST', '/api/jobs', await tokenFor('bob'), { type: 'a' })).status).toBe(201)
    expect((await call('POST', '/api/jobs', admin, { type: 'a' })).status).toBe(201) // keys: unlimited by default
    expect((await call('GET', '/api/jobs', alice)).status).toBe(200) // reads are not limited
    expect((await call('GET', '/api/jobs/stats')).body.stats.total).toBe(4)
  })

  it('limits per API key when configured, counting each job of a batch', async () => {
    const { call, keyFor } = await openApp({ rateLimit: { key: { perSecond: 0.01, burst: 3 } } })
    const producer = await keyFor('producer')
    expect((await call('POST', '/api/jobs/batch', producer, { jobs: [{ type: 'a' }, { type: 'b' }] })).status).toBe(201)
    expect((await call('POST', '/api/jobs/batch', producer, { jobs: [{ type: 'a' }, { type: 'b' }] })).status).toBe(429)
    expect((await call('POST', '/api/jobs', producer, { type: 'a' })).status).toBe(201)
    const tooBig = await call('POST', '/api/jobs/batch', await keyFor('producer'), { jobs: [{ type: 'a' }, { type: 'b' }, { type: 'c' }, { type: 'd' }] })
    expect(tooBig.status).toBe(400)
    expect((await call('GET', '/api/jobs/stats')).body.stats.total).toBe(3)
  })
})
