import { quoteIdent } from '../db/db.ts'

/**
 * The SQL of API keys and server secrets (migrations/0002_keys.sql), named noun-first, built once per
 * schema. Values are always $n parameters; the quoted schema name is the only thing interpolated.
 */
export type KeyQueries = ReturnType<typeof buildKeyQueries>

const KEY_COLUMNS = 'id, name, role, created_at, last_used_at, revoked_at'

export function buildKeyQueries(schema: string) {
  const s = quoteIdent(schema)
  const K = `${s}.api_keys`
  return {
    /** $1 id, $2 name, $3 role, $4 hash. */
    apiKeyInsert: `INSERT INTO ${K} (id, name, role, hash) VALUES ($1, $2, $3, $4) RETURNING ${KEY_COLUMNS}`,
    /** Every key, newest first, without hashes. */
    apiKeyList: `SELECT ${KEY_COLUMNS} FROM ${K} ORDER BY created_at DESC, id DESC`,
    /** $1 hash: the active (not revoked) key with that hash. */
    apiKeyGetActiveByHash: `SELECT ${KEY_COLUMNS} FROM ${K} WHERE hash = $1 AND revoked_at IS NULL`,
    /** $1 id. Revoking twice keeps the first revocation time. */
    apiKeyRevoke: `UPDATE ${K} SET revoked_at = coalesce(revoked_at, now()) WHERE id = $1 RETURNING ${KEY_COLUMNS}`,
    /** $1 id. */
    apiKeyTouch: `UPDATE ${K} SET last_used_at = now() WHERE id = $1`,
    apiKeyCountActiveAdmins: `SELECT count(*) AS n FROM ${K} WHERE role = 'admin' AND revoked_at IS NULL`,
    /** Serialises first-admin creation between servers starting together: $1 the lock name. */
    apiKeyLockBootstrap: `SELECT pg_advisory_xact_lock(hashtext($1))`,
    /** $1 name, $2 a fresh value: kept only if no value exists yet. Then serverSecretGet reads the winner. */
    serverSecretInsert: `INSERT INTO ${s}.server_secrets (name, value) VALUES ($1, $2) ON CONFLICT (name) DO NOTHING`,
    serverSecretGet: `SELECT value FROM ${s}.server_secrets WHERE name = $1`,
  }
}
