import { describe, expect, it } from 'vitest'
import { openConveyor } from './helpers.ts'

describe('prepared statements (QueryOptions.prepare)', () => {
  const sql = 'SELECT 10 / $1::int AS x, $2::text[] AS a, $3::jsonb AS j, $4::timestamptz AS t, $5::text AS n'
  const at = new Date('2026-01-02T03:04:05.678Z')
  const params = (d: number) => [d, ['a"b', 'c\\d', null, 'e,f'], JSON.stringify({ k: [1, 2] }), at, null]

  it('answer as unprepared statements do, for arrays, JSON, times and NULL, again and again', async () => {
    const c = await openConveyor({ maintenance: false })
    const plain = await c.db.query(sql, params(2))
    for (let i = 0; i < 7; i++) expect(await c.db.query(sql, params(2), { prepare: true })).toEqual(plain)
    expect(plain).toEqual([{ x: 5, a: ['a"b', 'c\\d', null, 'e,f'], j: { k: [1, 2] }, t: at, n: null }])
  })

  it('fail with the database error code, and the statement still works afterwards', async () => {
    const c = await openConveyor({ maintenance: false })
    await expect(c.db.query(sql, params(0), { prepare: true })).rejects.toMatchObject({ code: '22012' })
    await expect(c.db.query(sql, params(0), { prepare: true })).rejects.toMatchObject({ code: '22012' })
    expect((await c.db.query<{ x: number }>(sql, params(5), { prepare: true }))[0]!.x).toBe(2)
    await expect(c.db.query('SELEC 1', [], { prepare: true })).rejects.toMatchObject({ code: '42601' })
    expect(await c.db.query('SELECT 1 AS one', [], { prepare: true })).toEqual([{ one: 1 }])
  })
})

describe("prepare 'generic'", () => {
  it('answers as a plain prepared statement does', async () => {
    const c = await openConveyor({ maintenance: false })
    const sql = 'SELECT $1::int + 1 AS n, $2::text[] AS a'
    for (let i = 0; i < 7; i++) expect(await c.db.query(sql, [i, ['x', null]], { prepare: 'generic' })).toEqual([{ n: i + 1, a: ['x', null] }])
  })

  it('leaves other statements planned as usual, also after a failure', async () => {
    const c = await openConveyor({ maintenance: false })
    const mode = async () => (await c.db.query<{ m: string }>('SELECT current_setting($1) AS m', ['plan_cache_mode']))[0]!.m
    await c.db.query('SELECT $1::int AS n', [1], { prepare: 'generic' })
    expect(await mode()).toBe('auto')
    await expect(c.db.query('SELECT 1 / $1::int AS n', [0], { prepare: 'generic' })).rejects.toMatchObject({ code: '22012' })
    expect(await mode()).toBe('auto')
  })

  it('plans the claim once, not on every call', async () => {
    const c = await openConveyor({ maintenance: false })
    await c.enqueueMany(Array.from({ length: 10 }, () => ({ type: 'x' })))
    for (let i = 0; i < 8; i++) expect(await c.jobs.claim({ workerId: 'w', queues: ['default'], limit: 1, leaseMs: 30_000 })).toHaveLength(1)
    // Claims run one at a time, so on PostgreSQL they used one connection of the generic pool, which
    // answers this too; PGlite has one connection.
    const rows = await c.db.query<{ statement: string; generic_plans: number; custom_plans: number }>(
      'SELECT statement, generic_plans, custom_plans FROM pg_prepared_statements',
      [],
      { prepare: 'generic' },
    )
    const claim = rows.find((r) => r.statement === c.jobs.q.jobClaim)
    expect(claim).toMatchObject({ custom_plans: 0 })
    expect(claim!.generic_plans).toBeGreaterThanOrEqual(8)
  })
})
