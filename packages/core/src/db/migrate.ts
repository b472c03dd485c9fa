import { readdirSync, readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import type { Logger } from 'pino'
import { type Db, quoteIdent } from './db.ts'

const MIGRATIONS_DIR = fileURLToPath(new URL('../migrations/', import.meta.url))

export interface Migration {
  version: number
  name: string
  sql: string
}

/** The numbered `.sql` files of migrations/, in order. Append-only: never edit one that has shipped. */
export function loadMigrations(): Migration[] {
  return readdirSync(MIGRATIONS_DIR)
    .filter((f) => /^\d{4}_[\w-]+\.sql$/.test(f))
    .sort()
    .map((file) => ({
      version: Number(file.slice(0, 4)),
      name: file.replace(/\.sql$/, ''),
      sql: readFileSync(MIGRATIONS_DIR + file, 'utf8'),
    }))
}

/**
 * Brings the schema up to date. Each migration runs in its own transaction that first takes a
 * transaction-scoped advisory lock keyed by the schema name, then checks the ledger: two processes
 * migrating one database at once queue on the lock, and the second finds the work done.
 * Returns the versions this call applied.
 */
export async function migrate(db: Db, schema: string, logger?: Logger): Promise<number[]> {
  const s = quoteIdent(schema)
  const lockKey = `conveyor-migrate:${schema}`
  await db.transaction(async (tx) => {
    await tx.query('SELECT pg_advisory_xact_lock(hashtext($1))', [lockKey])
    await tx.exec(`CREATE SCHEMA IF NOT EXISTS ${s};
      CREATE TABLE IF NOT EXISTS ${s}.migrations (
        version integer PRIMARY KEY,
        name text NOT NULL,
        applied_at timestamptz NOT NULL DEFAULT now()
      );`)
  })
  const applied: number[] = []
  for (const m of loadMigrations()) {
    const done = await db.transaction(async (tx) => {
      await tx.query('SELECT pg_advisory_xact_lock(hashtext($1))', [lockKey])
      const seen = await tx.query(`SELECT 1 FROM ${s}.migrations WHERE version = $1`, [m.version])
      if (seen.length > 0) return false
      await tx.exec(m.sql.replaceAll(':SCHEMA', s))
      await tx.query(`INSERT INTO ${s}.migrations (version, name) VALUES ($1, $2)`, [m.version, m.name])
      return true
    })
    if (done) {
      applied.push(m.version)
      logger?.info({ migration: m.name, schema }, 'migration applied')
    }
  }
  return applied
}
