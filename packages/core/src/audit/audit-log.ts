import { v7 as uuidv7 } from 'uuid'
import { type Db, quoteIdent } from '../db/db.ts'

export interface AuditEntry {
  id: string
  at: Date
  actor: string
  actorKind: 'key' | 'token' | 'session' | 'system' | 'cli'
  action: string
  target: string | null
  details: Record<string, unknown>
}

export type AuditInput = Omit<AuditEntry, 'id' | 'at' | 'target' | 'details'> & { target?: string | null; details?: Record<string, unknown> }

/**
 * Who did what, when: written by the server for each change made through the API (enqueue, cancel,
 * retry, delete, purge, bulk actions, keys, schedules, alert rules).
 */
export class AuditLog {
  readonly #insert: string
  readonly #list: string

  constructor(
    private readonly db: Db,
    schema: string,
  ) {
    const A = `${quoteIdent(schema)}.audit_log`
    this.#insert = `INSERT INTO ${A} (id, actor, actor_kind, action, target, details) VALUES ($1, $2, $3, $4, $5, $6)`
    /** $1 limit, $2 before id (keyset: ids are time-ordered), $3 action, $4 actor. */
    this.#list = `SELECT id, at, actor, actor_kind, action, target, details FROM ${A}
      WHERE ($2::uuid IS NULL OR id < $2) AND ($3::text IS NULL OR action = $3) AND ($4::text IS NULL OR actor = $4)
      ORDER BY id DESC LIMIT $1`
  }

  async record(e: AuditInput): Promise<void> {
    await this.db.query(this.#insert, [uuidv7(), e.actor.slice(0, 256), e.actorKind, e.action.slice(0, 64), e.target?.slice(0, 256) ?? null, JSON.stringify(e.details ?? {})])
  }

  async list(options: { limit?: number; before?: string; action?: string; actor?: string } = {}): Promise<AuditEntry[]> {
    const rows = await this.db.query<Record<string, unknown>>(this.#list, [
      Math.min(options.limit ?? 100, 500),
      options.before ?? null,
      options.action ?? null,
      options.actor ?? null,
    ])
    return rows.map((r) => ({
      id: r.id as string,
      at: r.at as Date,
      actor: r.actor as string,
      actorKind: r.actor_kind as AuditEntry['actorKind'],
      action: r.action as string,
      target: (r.target as string | null) ?? null,
      details: (r.details as Record<string, unknown>) ?? {},
    }))
  }
}
