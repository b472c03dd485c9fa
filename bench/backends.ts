import { randomBytes } from 'node:crypto'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import pg from 'pg'
import { Conveyor } from '@conveyor/core'
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
 */
export async function openFresh(backend: BackendName): Promise<Fresh> {
  if (backend === 'pg') {
    const schema = `bench_${randomBytes(5).toString('hex')}`
    const conveyor = await Conveyor.open({ databaseUrl: DATABASE_URL, schema, logLevel: 'warn' })
    return {
      conveyor,
      async dispose() {
        await conveyor.close()
        await withClient((c) => c.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`))
      },
    }
  }
  const dir = await mkdtemp(join(tmpdir(), 'conveyor-bench-'))
  try {
    const conveyor = await Conveyor.open({ dataDir: dir, logLevel: 'warn' })
    return {
      conveyor,
      async dispose() {
        await conveyor.close()
        await rm(dir, { recursive: true, force: true })
      },
    }
  } catch (err) {
    await rm(dir, { recursive: true, force: true })
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
