import { randomBytes } from 'node:crypto'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import pg from 'pg'
import { Conveyor, type Db, defaultLogger, PgAdapter, PgliteAdapter } from '@conveyor/core'
import type { BackendName } from './args.ts'

export const DATABASE_URL = process.env.DATABASE_URL || 'postgres://root@127.0.0.1:5432/test'

export const BACKEND_TITLES: Record<BackendName, string> = { pg: 'PostgreSQL', pglite: 'PGlite' }

/** A Conveyor on a store of its own, and how to throw that store away. */
export interface Fresh {
  conveyor: Conveyor
  dispose(): Promise<void>
}

/**
 * Opens Conveyor with its default settings (pool size, maintenance, worker options untouched) on a
 * fresh store: a new schema of DATABASE_URL, dropped afterwards, or a new PGlite data directory on
 * disk (not memory://), deleted afterwards. Only the log level is lowered, so the table stays readable.
 * `wrap` (profiling) puts a seam of its own around the database adapter, opened as Conveyor would.
 */
export async function openFresh(backend: BackendName, wrap?: (db: Db, schema: string) => Db): Promise<Fresh> {
  const schema = backend === 'pg' ? `bench_${randomBytes(5).toString('hex')}` : 'conveyor'
  const dir = backend === 'pglite' ? await mkdtemp(join(tmpdir(), 'conveyor-bench-')) : undefined
  const removeStore = async () => {
    if (dir) await rm(dir, { recursive: true, force: true })
    else await withClient((c) => c.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`))
  }
  let db: Db | undefined
  try {
    const location = dir ? { dataDir: dir } : { databaseUrl: DATABASE_URL }
    if (wrap) {
      const inner = dir ? await PgliteAdapter.open(dir) : new PgAdapter({ connectionString: DATABASE_URL, logger: defaultLogger('warn') })
      db = wrap(inner, schema)
    }
    const conveyor = await Conveyor.open({ ...location, schema, logLevel: 'warn', ...(db ? { db } : {}) })
    return {
      conveyor,
      async dispose() {
        await conveyor.close()
        await db?.close()
        await removeStore()
      },
    }
  } catch (err) {
    await db?.close()
    await removeStore()
    throw err
  }
}

/** The database engine's version, e.g. "PostgreSQL 15.20 (…)" or "PostgreSQL 18.6 (PGlite 0.5.16)". */
export async function engineVersion(backend: BackendName): Promise<string> {
  const fresh = await openFresh(backend)
  try {
    const [row] = await fresh.conveyor.db.query<{ version: string }>('SELECT version() AS version')
    const version = row?.version ?? 'unknown'
    // PGlite answers "PostgreSQL 18.6 (PGlite 0.5.16) on …", which names both.
    return backend === 'pg' ? version : (version.split(' on ')[0] ?? version)
  } finally {
    await fresh.dispose()
  }
}

async function withClient<T>(fn: (c: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: DATABASE_URL })
  await client.connect()
  try {
    return await fn(client)
  } finally {
    await client.end()
  }
}
