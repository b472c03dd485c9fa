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
