import { randomUUID } from 'node:crypto'
import type { Conveyor } from '@conveyor/core'
import { rate } from './stats.ts'

/**
 * The floor under the engine's targets: what the database alone does with the jobs table Conveyor
 * made, running bare statements — no validation, no events, nothing returned but ids, no attempt log,
 * no handler. Conveyor's enqueue, enqueueMany and drain each write at least what these write (the same
 * row into the same table, the same two updates per job), so each figure here is a ceiling on its row
 * above on this store and machine: a target above its floor cannot be met by tuning the engine, only by
 * changing the table (its indexes and CHECKs) or the machine. The last row shows what the table costs:
 * the same one-row insert into a copy of it with its primary key only.
 */
export interface FloorSizes {
  warmup: number
  sequential: number
  batches: number
  drain: number
}

/** Claim-and-complete loops of the drain floor, each on a connection of its own (PostgreSQL). */
const DRAIN_LOOPS = 4
const CLAIM = 50
const BATCH = 1000

export async function floor(c: Conveyor, sizes: FloorSizes): Promise<Record<string, number>> {
  const s = `"${c.schema.replace(/"/g, '""')}"`
  const T = `${s}.jobs`
  const insertInto = (table: string) => `INSERT INTO ${table} (id, type, payload) VALUES ($1, 'noop', $2::jsonb)`
  const insertOne = (table: string, sql: string) => (n: number) => c.db.query(sql, [randomUUID(), `{"n":${n}}`], { prepare: true })

  const one = insertOne(T, insertInto(T))
  await times(sizes.warmup, one)
  const insert = rate(sizes.sequential, await timed(() => times(sizes.sequential, one)))

  const batchSql = `INSERT INTO ${T} (id, type, payload)
    SELECT gen_random_uuid(), 'noop', jsonb_build_object('n', g) FROM generate_series(1, ${BATCH}) g`
  const batch = rate(sizes.batches * BATCH, await timed(() => times(sizes.batches, () => c.db.query(batchSql, [], { prepare: true }))))

  await c.db.exec(`TRUNCATE ${T} CASCADE`)
  const drain = await drainFloor(c, T, sizes.drain)

  // The table's own cost: the same row into a copy with its columns and defaults, primary key only.
  await c.db.exec(`CREATE TABLE ${s}.jobs_floor (LIKE ${T} INCLUDING DEFAULTS); ALTER TABLE ${s}.jobs_floor ADD PRIMARY KEY (id)`)
  try {
    const bare = insertOne(`${s}.jobs_floor`, insertInto(`${s}.jobs_floor`))
    await times(sizes.warmup, bare)
    const insertPkOnly = rate(sizes.sequential, await timed(() => times(sizes.sequential, bare)))
    return { 'floor.insert': insert, 'floor.batch': batch, 'floor.drain': drain, 'floor.insertPkOnly': insertPkOnly }
  } finally {
    await c.db.exec(`DROP TABLE ${s}.jobs_floor`)
  }
}

/**
 * `count` pending jobs (written by enqueueMany, not timed), then DRAIN_LOOPS loops each claiming up to
 * CLAIM jobs in claim order (FOR UPDATE SKIP LOCKED, as the worker's claim) and completing them by id,
 * until none is left. The two updates keep every CHECK of the table satisfied, as the engine's do.
 */
async function drainFloor(c: Conveyor, T: string, count: number): Promise<number> {
  for (let done = 0; done < count; done += BATCH)
    await c.enqueueMany(Array.from({ length: Math.min(BATCH, count - done) }, (_, i) => ({ type: 'noop', payload: { n: done + i } })))
  await c.db.exec(`ANALYZE ${T}`)
  const claim = `UPDATE ${T} SET status = 'running', attempts = attempts + 1, locked_by = 'floor', locked_at = now(),
      lease_expires_at = now() + interval '30 seconds', started_at = now(), updated_at = now()
    WHERE id = ANY(ARRAY(SELECT id FROM ${T} WHERE queue = 'default' AND status = 'pending' AND run_at <= now()
      ORDER BY priority DESC, run_at, id LIMIT ${CLAIM} FOR UPDATE SKIP LOCKED))
    RETURNING id`
  const complete = `UPDATE ${T} SET status = 'completed', progress = 100, completed_at = now(), updated_at = now(),
      lease_expires_at = NULL WHERE id = ANY($1::uuid[])`
  let completed = 0
  const loop = async () => {
    for (;;) {
      const rows = await c.db.query<{ id: string }>(claim, [], { prepare: true })
      if (rows.length === 0) return
      await c.db.query(complete, [rows.map((r) => r.id)], { prepare: true })
      completed += rows.length
    }
  }
  const ms = await timed(() => Promise.all(Array.from({ length: DRAIN_LOOPS }, loop)))
  if (completed !== count) throw new Error(`the drain floor completed ${completed} of ${count} jobs`)
  return rate(count, ms)
}

async function times(n: number, f: (i: number) => Promise<unknown>) {
  for (let i = 0; i < n; i++) await f(i)
}

async function timed(f: () => Promise<unknown>): Promise<number> {
  const t0 = performance.now()
  await f()
  return performance.now() - t0
}
