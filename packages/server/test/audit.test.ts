import { Writable } from 'node:stream'
import { auditResponseSchema } from '@conveyor/contracts'
import pino from 'pino'
import { describe, expect, it } from 'vitest'
import { ADMIN_KEY, admin, openApp, type TestApp } from './helpers.ts'

const audit = async (t: TestApp, query = '') => auditResponseSchema.parse((await t.call('GET', `/api/audit${query}`)).body)

/** Fails one job for good over the HTTP worker routes. */
async function failOne(t: TestApp, type: string) {
  const job = (await t.call('POST', '/api/jobs', admin, { type, maxAttempts: 1 })).body.job
  await t.call('POST', '/api/workers/claim', admin, { workerId: 'w', types: [type] })
  await t.call('POST', `/api/jobs/${job.id}/fail`, admin, { workerId: 'w', error: { message: 'boom 1' } })
  return job
}

describe('audit log', () => {
  it('records one entry per change made through the API, with its target, and none for reads or refused changes', async () => {
    const t = await openApp()
    const expected: [string, string | null][] = []
    const did = async (action: string, target: string | null, res: Promise<{ status: number; body: any }>) => {
      const r = await res
      expect(r.status, action).toBeLessThan(300)
      expected.push([action, target])
      return r.body
    }
    const job = (await t.call('POST', '/api/jobs', admin, { type: 'a' })).body.job
    expected.push(['job.enqueue', job.id])
    const seed = await did('job.enqueue', null, t.call('POST', '/api/jobs/enqueue', admin, { prompt: 'p' }))
    expected.at(-1)![1] = seed.job.id
    await did('job.enqueue', null, t.call('POST', '/api/jobs/batch', admin, { jobs: [{ type: 'b' }, { type: 'b' }, { type: 'c' }] }))
    await did('job.cancel', job.id, t.call('POST', `/api/jobs/${job.id}/cancel`))
    await did('job.retry', job.id, t.call('POST', `/api/jobs/${job.id}/retry`))
    await did('job.delete', job.id, t.call('DELETE', `/api/jobs/${job.id}`))
    await did('job.purge', null, t.call('DELETE', '/api/jobs?status=cancelled'))
    await did('job.bulk', null, t.call('POST', '/api/jobs/bulk', admin, { action: 'cancel', filter: { type: 'b' } }))
    const failed = await failOne(t, 'f')
    expected.push(['job.enqueue', failed.id])
    await did('job.bulk', null, t.call('POST', '/api/metrics/errors/retry', admin, { name: 'Error', shape: 'boom <n>' }))
    const key = await did('key.create', null, t.call('POST', '/api/keys', admin, { name: 'backend', role: 'producer' }))
    expected.at(-1)![1] = key.id
    await did('key.revoke', key.id, t.call('DELETE', `/api/keys/${key.id}`))
    await did('token.mint', 'alice', t.call('POST', '/api/tokens', admin, { owner: 'alice' }))
    const s = (await did('schedule.create', null, t.call('POST', '/api/schedules', admin, { name: 's', cron: '0 9 * * *', type: 'a' }))).schedule
    expected.at(-1)![1] = s.id
    await did('schedule.update', s.id, t.call('PATCH', `/api/schedules/${s.id}`, admin, { enabled: false }))
    await did('schedule.trigger', s.id, t.call('POST', `/api/schedules/${s.id}/trigger`))
    await did('schedule.delete', s.id, t.call('DELETE', `/api/schedules/${s.id}`))
    const rule = (await did('alert.create', null, t.call('POST', '/api/alerts/rules', admin, { name: 'r', kind: 'queue_depth' }))).rule
    expected.at(-1)![1] = rule.id
    await did('alert.update', rule.id, t.call('PATCH', `/api/alerts/rules/${rule.id}`, admin, { threshold: 3 }))
    await did('alert.delete', rule.id, t.call('DELETE', `/api/alerts/rules/${rule.id}`))
    await did('queue.pause', 'default', t.call('POST', '/api/queues/default/pause'))
    await did('queue.resume', 'default', t.call('POST', '/api/queues/default/resume'))
    const file = (await t.app.inject({ method: 'POST', url: '/api/files?name=a.txt', headers: { ...admin, 'content-type': 'text/plain' }, payload: 'x' })).json().file
    expected.push(['file.upload', file.id])

    // Reads and refused changes leave no entry.
    await t.call('GET', '/api/jobs')
    await t.call('GET', '/api/schedules')
    expect((await t.call('POST', `/api/jobs/${seed.job.id}/retry`)).status).toBe(409)
    expect((await t.call('POST', '/api/keys', await t.tokenFor('bob'), { name: 'x', role: 'admin' })).status).toBe(403)
    expected.push(['token.mint', 'bob']) // the tokenFor above

    const { entries } = await audit(t, '?limit=500')
    expect(entries.map((e) => [e.action, e.target]).reverse()).toEqual(expected)
    for (const e of entries) expect(e).toMatchObject({ actor: 'CONVEYOR_ADMIN_KEY', actorKind: 'key', details: { actorRole: 'admin', actorKeyId: 'env' } })
    const byAction = (a: string) => entries.filter((e) => e.action === a)
    expect(byAction('job.enqueue').map((e) => e.details.count ?? e.details.type)).toEqual(['f', 3, 'default', 'a'])
    expect(byAction('job.bulk').map((e) => [e.details.action, e.details.affected])).toEqual([['retry', 1], ['cancel', 2]])
    expect(byAction('job.purge')[0]!.details).toMatchObject({ status: ['cancelled'], purged: 0 })
    expect(byAction('key.create')[0]!.details).toMatchObject({ name: 'backend', role: 'producer' })
    expect(byAction('schedule.update')[0]!.details).toMatchObject({ name: 's', changed: ['enabled'] })
    expect(JSON.stringify(entries)).not.toContain('cvk_') // the created key's secret is never logged
  })

  it("names the actor: the key's name and role, the user token's owner, or the session's key", async () => {
    const t = await openApp()
    const producer = (await t.call('POST', '/api/keys', admin, { name: 'shop backend', role: 'producer' })).body
    await t.call('POST', '/api/jobs', { authorization: `Bearer ${producer.key}` }, { type: 'a' })
    const alice = await t.tokenFor('alice')
    const mine = (await t.call('POST', '/api/jobs', alice, { type: 'a' })).body.job
    await t.call('POST', `/api/jobs/${mine.id}/cancel`, alice)
    // The dashboard: signed in with the admin key, acting from its own origin with the cookie.
    const own = { host: 'conveyor.test', origin: 'http://conveyor.test' }
    const signIn = await t.app.inject({ method: 'POST', url: '/api/session', headers: own, payload: { key: ADMIN_KEY } })
    const cookie = String(signIn.headers['set-cookie']).split(';')[0]!
    expect((await t.call('POST', `/api/jobs/${mine.id}/retry`, { ...own, cookie })).status).toBe(200)

    const entries = (await audit(t, '?action=job.enqueue')).entries
    expect(entries.map((e) => [e.actor, e.actorKind, e.details.actorRole])).toEqual([
      ['alice', 'token', undefined],
      ['shop backend', 'key', 'producer'],
    ])
    expect(entries[1]!.details.actorKeyId).toBe(producer.id)
    expect((await audit(t, '?actor=alice')).entries.map((e) => e.action)).toEqual(['job.cancel', 'job.enqueue'])
    expect((await audit(t, '?action=job.retry')).entries).toEqual([
      expect.objectContaining({ actor: 'CONVEYOR_ADMIN_KEY', actorKind: 'session', target: mine.id }),
    ])
  })

  it('pages newest first with limit and nextBefore', async () => {
    const t = await openApp()
    for (let i = 0; i < 5; i++) await t.call('POST', '/api/queues/q/pause')
    const seen: string[] = []
    let before: string | null = null
    let pages = 0
    do {
      const page = await audit(t, `?limit=2${before ? `&before=${before}` : ''}`)
      seen.push(...page.entries.map((e) => e.id))
      before = page.nextBefore
      pages++
    } while (before)
    expect(pages).toBe(3)
    expect(seen).toHaveLength(5)
    expect([...seen].sort().reverse()).toEqual(seen)
  })

  it('answers the change even when its entry cannot be written, and logs the failure', async () => {
    const lines: string[] = []
    const logger = pino({ level: 'error' }, new Writable({ write: (chunk, _enc, done) => (lines.push(String(chunk)), done()) }))
    const t = await openApp({ logger })
    // Every insert into the audit log now fails (existing rows are not checked).
    await t.conveyor.db.query(`ALTER TABLE "${t.conveyor.schema}".audit_log ADD CONSTRAINT refuse_all CHECK (false) NOT VALID`)
    const res = await t.call('POST', '/api/jobs', admin, { type: 'a' })
    expect(res.status).toBe(201)
    expect((await t.call('GET', `/api/jobs/${res.body.job.id}`)).status).toBe(200)
    expect((await audit(t)).entries).toEqual([]) // read after the failed write settled
    expect(lines.some((l) => l.includes('could not write the audit entry') && l.includes('job.enqueue'))).toBe(true)
  })
})
