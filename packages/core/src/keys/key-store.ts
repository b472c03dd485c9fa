import { createHash, randomBytes } from 'node:crypto'
import { newId } from '../ids.ts'
import type { Db, Queryable } from '../db/db.ts'
import { ConveyorError, ErrorCodes, translatePgError } from '../errors.ts'
import { isUuid } from '../jobs/job-store.ts'
import { buildKeyQueries, type KeyQueries } from './queries.ts'

/** What a key may do over HTTP; the server's access table says which routes each role reaches. */
export const KEY_ROLES = ['admin', 'producer', 'worker', 'viewer'] as const
export type KeyRole = (typeof KEY_ROLES)[number]

/** An API key as listed: never its secret nor its hash. */
export interface ApiKeyInfo {
  id: string
  name: string
  role: KeyRole
  createdAt: Date
  lastUsedAt: Date | null
  revokedAt: Date | null
}

/** Every key starts with this, so a leaked one is easy to recognise (secret scanners, logs). */
export const KEY_PREFIX = 'cvk_'

/** SHA-256 (hex) of a key: what is stored and looked up. */
export function hashKey(key: string): string {
  return createHash('sha256').update(key).digest('hex')
}

/** A new random key: the prefix and 256 random bits. */
export function generateKey(): string {
  return KEY_PREFIX + randomBytes(32).toString('base64url')
}

type Row = Record<string, unknown>

/**
 * API keys (stored as hashes, shown once) and the secrets the servers of one database share.
 *
 * @example
 *   const keys = new KeyStore(conveyor.db, conveyor.schema)
 *   const { key } = await keys.create({ name: 'backend', role: 'producer' })   // print it once
 *   const info = await keys.findByKey(key)                                     // { id, role, … } or null
 */
export class KeyStore {
  readonly q: KeyQueries

  constructor(
    private readonly db: Db,
    private readonly schema: string,
  ) {
    this.q = buildKeyQueries(schema)
  }

  async create(input: { name: string; role: KeyRole }, tx: Queryable = this.db): Promise<{ key: string; info: ApiKeyInfo }> {
    if (!(KEY_ROLES as readonly string[]).includes(input.role))
      throw new ConveyorError(ErrorCodes.invalidInput, `role must be one of ${KEY_ROLES.join(', ')}`, {
        details: [{ path: 'role', message: `not a role: ${String(input.role)}` }],
      })
    const key = generateKey()
    const [row] = await this.#run<Row>(this.q.apiKeyInsert, [newId(), input.name, input.role, hashKey(key)], tx)
    return { key, info: toInfo(row as Row) }
  }

  async list(): Promise<ApiKeyInfo[]> {
    return (await this.#run<Row>(this.q.apiKeyList, [])).map(toInfo)
  }

  /** The active key this secret belongs to, or null (unknown or revoked). */
  async findByKey(key: string): Promise<ApiKeyInfo | null> {
    const [row] = await this.#run<Row>(this.q.apiKeyGetActiveByHash, [hashKey(key)])
    return row ? toInfo(row) : null
  }

  /** Revokes a key; null when there is no such key. */
  async revoke(id: string): Promise<ApiKeyInfo | null> {
    if (!isUuid(id)) return null
    const [row] = await this.#run<Row>(this.q.apiKeyRevoke, [id])
    return row ? toInfo(row) : null
  }

  /** Records that a key was used (callers throttle this: it is a write). */
  async touch(id: string): Promise<void> {
    await this.#run(this.q.apiKeyTouch, [id])
  }

  /**
   * Creates the first admin key when no active admin key exists, and returns it (to be shown once);
   * null when one exists. Servers starting together on one database create at most one.
   */
  async ensureFirstAdmin(name = 'first admin key'): Promise<string | null> {
    return this.db.transaction(async (tx) => {
      await this.#run(this.q.apiKeyLockBootstrap, [`conveyor-first-admin:${this.schema}`], tx)
      const [row] = await this.#run<{ n: number }>(this.q.apiKeyCountActiveAdmins, [], tx)
      if ((row?.n ?? 0) > 0) return null
      return (await this.create({ name, role: 'admin' }, tx)).key
    })
  }

  /** A random secret shared by every server of this database, created by the first to ask. */
  async secret(name: string): Promise<string> {
    await this.#run(this.q.serverSecretInsert, [name, randomBytes(32).toString('base64url')])
    const [row] = await this.#run<{ value: string }>(this.q.serverSecretGet, [name])
    if (!row) throw new ConveyorError(ErrorCodes.database, `server secret ${name} was not stored`)
    return row.value
  }

  async #run<T>(sql: string, params: unknown[], tx: Queryable = this.db): Promise<T[]> {
    try {
      return await tx.query<T>(sql, params)
    } catch (err) {
      throw translatePgError(err)
    }
  }
}

function toInfo(row: Row): ApiKeyInfo {
  return {
    id: row.id as string,
    name: row.name as string,
    role: row.role as KeyRole,
    createdAt: row.created_at as Date,
    lastUsedAt: (row.last_used_at as Date | null) ?? null,
    revokedAt: (row.revoked_at as Date | null) ?? null,
  }
}
