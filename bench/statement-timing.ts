import type { Db, Queryable } from '@conveyor/core'
// Not part of the public API: the profiler names statements as queries.ts does.
import { buildQueries } from '../packages/core/src/jobs/queries.ts'

/** What one named statement cost over a run: calls, rows, and wall time as the caller saw it. */
export interface StatementCost {
  name: string
  calls: number
  rows: number
  totalMs: number
  maxMs: number
}

/**
 * A Db that times every statement by its name in queries.ts (pg_stat_statements is not available,
 * and PGlite has none): the time is what the caller waited, pool queueing included on PostgreSQL.
 */
export function timingDb(inner: Db, schema: string): { db: Db; costs: () => StatementCost[]; reset: () => void } {
  const names = new Map<string, string>()
  for (const [name, sql] of Object.entries(buildQueries(schema))) if (typeof sql === 'string') names.set(sql, name)
  let costs = new Map<string, StatementCost>()
  const timed = async <T>(text: string, run: () => Promise<T[]>): Promise<T[]> => {
    const name = names.get(text) ?? text.replace(/\s+/g, ' ').slice(0, 60)
    const t0 = performance.now()
    const rows = await run()
    const ms = performance.now() - t0
    const c = costs.get(name) ?? { name, calls: 0, rows: 0, totalMs: 0, maxMs: 0 }
    c.calls++
    c.rows += rows.length
    c.totalMs += ms
    c.maxMs = Math.max(c.maxMs, ms)
    costs.set(name, c)
    return rows
  }
  const db: Db = {
    kind: inner.kind,
    query: (text, params, options) => timed(text, () => inner.query(text, params, options)),
    exec: (text) => inner.exec(text),
    transaction: <T>(fn: (tx: Queryable) => Promise<T>) => inner.transaction(fn),
    listen: (channel, onPayload, onReconnect) => inner.listen(channel, onPayload, onReconnect),
    close: () => inner.close(),
  }
  return {
    db,
    costs: () => [...costs.values()].sort((a, b) => b.totalMs - a.totalMs),
    reset: () => {
      costs = new Map()
    },
  }
}
