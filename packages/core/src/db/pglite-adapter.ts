import { existsSync, mkdirSync, readdirSync, renameSync, rmSync } from 'node:fs'
import { join, resolve } from 'node:path'
import { parse as pgliteParse, PGlite, protocol, types as pgliteTypes } from '@electric-sql/pglite'
import type { Db, Queryable, QueryOptions, Row } from './db.ts'
import { lockDataDir } from './dir-lock.ts'

export const MEMORY = 'memory://'

/**
 * Embedded PostgreSQL (PGlite, WebAssembly) persisted in a directory: `<dir>/pgdata` holds the
 * database, `<dir>/conveyor.lock` says which process owns it.
 *
 * PGlite is a single connection in a single process, so this adapter:
 *  - holds an exclusive lock on the directory (dir-lock.ts);
 *  - creates a new database in `<dir>/pgdata.init-<pid>` and renames it into place, so a kill during
 *    first-time setup never leaves a half-made `pgdata` that won't open;
 *  - runs every statement and transaction one at a time through one queue (`#serial`), so a
 *    transaction never interleaves with another caller's statements on the one connection;
 *  - delivers NOTIFY in-process through PGlite's own listen().
 * PGlite does not fsync: the store survives a process crash, not a power loss (see README).
 */
export class PgliteAdapter implements Db {
  readonly kind = 'pglite' as const
  #tail: Promise<unknown> = Promise.resolve()
  #closed = false
  /** Names of the statements prepared on the one connection (see #prepared). */
  readonly #statements = new Map<string, string>()
  #statementCount = 0

  private constructor(
    private readonly pg: PGlite,
    private readonly release: () => void,
  ) {}

  static async open(dataDir: string): Promise<PgliteAdapter> {
    if (dataDir === MEMORY) {
      const pg = await PGlite.create(MEMORY, { parsers: PARSERS })
      return new PgliteAdapter(pg, () => {})
    }
    const dir = resolve(dataDir)
    mkdirSync(dir, { recursive: true })
    const release = lockDataDir(dir)
    try {
      const pgdata = join(dir, 'pgdata')
      // Only the lock holder makes staging copies, so any here were left by a process killed during
      // its first setup: tens of MB each that nothing would ever remove.
      for (const f of readdirSync(dir)) if (f.startsWith('pgdata.init-')) rmSync(join(dir, f), { recursive: true, force: true })
      if (!existsSync(join(pgdata, 'PG_VERSION'))) {
        // A pgdata without PG_VERSION is a first setup that was interrupted before the rename (only
        // possible from versions that did not rename); it holds no data yet, so start it over.
        rmSync(pgdata, { recursive: true, force: true })
        const staging = join(dir, `pgdata.init-${process.pid}`)
        rmSync(staging, { recursive: true, force: true })
        const fresh = await PGlite.create(staging)
        await fresh.close()
        renameSync(staging, pgdata)
      }
      const pg = await PGlite.create(pgdata, { parsers: PARSERS })
      return new PgliteAdapter(pg, release)
    } catch (err) {
      release()
      throw err
    }
  }

  /** Runs fn after everything queued before it has finished. */
  #serial<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.#tail.then(fn, fn)
    this.#tail = run.catch(() => {})
    return run
  }

  query<T = Row>(text: string, params?: readonly unknown[], options?: QueryOptions): Promise<T[]> {
    if (options?.prepare) return this.#serial(() => this.#prepared<T>(text, params ?? [], options.prepare === 'generic'))
    return this.#serial(async () => (await this.pg.query<T>(text, params as unknown[] | undefined)).rows)
  }

  /**
   * A named prepared statement, bound and executed in one call into PostgreSQL. PGlite's query()
   * parses, describes, binds, describes and executes in five calls, planning anew each time: a
   * one-row enqueue ran at ~1,100/s that way and ~3,100/s prepared (bench/README.md). Values go as
   * text, with their types inferred from the statement, as the pg driver sends them to a server.
   */
  async #prepared<T>(text: string, params: readonly unknown[], generic: boolean): Promise<T[]> {
    const s = protocol.serialize
    let name = this.#statements.get(text)
    // A name is never reused: a first call that fails after its Parse leaves that statement behind.
    const parse = name ? [] : [s.parse({ name: (name = `cv_${++this.#statementCount}`), text })]
    const run = [...parse, s.bind({ statement: name, values: params.map(toText) }), s.describe({ type: 'P' }), s.execute({}), s.sync()]
    // One connection serves every statement here, so the generic plan is asked for around this one
    // only (the plan is chosen at Bind), in the same call.
    const message = concat(generic ? [s.query(FORCE_GENERIC), ...run, s.query(RESET_PLAN_MODE)] : run)
    const { messages } = await this.pg.execProtocol(message)
    this.#statements.set(text, name)
    const results = pgliteParse.parseResults(messages, this.pg.parsers)
    return (results.find((r) => r.fields.length > 0)?.rows ?? []) as T[]
  }

  exec(text: string): Promise<void> {
    return this.#serial(async () => {
      await this.pg.exec(text)
    })
  }

  transaction<T>(fn: (tx: Queryable) => Promise<T>): Promise<T> {
    return this.#serial(() =>
      this.pg.transaction(async (t) => {
        const tx: Queryable = {
          query: async <R = Row>(text: string, params?: readonly unknown[]) =>
            (await t.query<R>(text, params as unknown[] | undefined)).rows,
          exec: async (text: string) => {
            await t.exec(text)
          },
        }
        return fn(tx)
      }),
    )
  }

  async listen(channel: string, onPayload: (payload: string) => void) {
    const unlisten = await this.#serial(() => this.pg.listen(channel, onPayload))
    return async () => {
      if (!this.#closed) await this.#serial(() => unlisten())
    }
  }

  async close(): Promise<void> {
    if (this.#closed) return
    this.#closed = true
    try {
      await this.#serial(() => this.pg.close())
    } finally {
      this.release()
    }
  }
}

const FORCE_GENERIC = 'SET plan_cache_mode = force_generic_plan'
const RESET_PLAN_MODE = 'RESET plan_cache_mode'

/** A parameter as the text PostgreSQL parses (what the pg driver's prepareValue does for our types). */
function toText(v: unknown): string | null {
  if (v === null || v === undefined) return null
  if (v instanceof Date) return v.toISOString()
  if (Array.isArray(v)) return `{${v.map((e) => (e === null || e === undefined ? 'NULL' : `"${String(e).replace(/[\\"]/g, '\\$&')}"`)).join(',')}}`
  if (typeof v === 'object') return JSON.stringify(v)
  return String(v)
}

function concat(parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0))
  let at = 0
  for (const p of parts) {
    out.set(p, at)
    at += p.length
  }
  return out
}

/** int8 as a number, as the pg adapter returns it. */
const PARSERS = {
  [pgliteTypes.INT8]: (v: string) => Number(v),
  [pgliteTypes.NUMERIC]: (v: string) => Number(v),
}
