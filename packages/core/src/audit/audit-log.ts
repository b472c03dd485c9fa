import { newId } from '../ids.ts'
import { Batcher } from '../batcher.ts'
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

type Row = { id: string; actor: string; actor_kind: string; action: string; target: string | null; details: Record<string, unknown> }

export type AuditInput = Omit<AuditEntry, 'id' | 'at' | 'target' | 'details'> & { target?: string | null; details?: Record<string, unknown> }

/**
 * Who did what, when: written by the server for each change made through the API (enqueue, cancel,
 * retry, delete, purge, bulk actions, keys, schedules, alert rules).
 */
export class AuditLog {
  readonly #insert: string
  readonly #list: string
  /**
   * Concurrent record() calls share one INSERT (see batcher.ts): the server records every enqueue,
   * and one extra statement per request would cost the enqueue route much of its throughput.
   */
  readonly #batcher = new Batcher<Row, Error | null>((rows) => this.#write(rows), { maxBatch: 500 })

  constructor(
    private readonly db: Db,
    schema: string,
  ) {
    const A = `${quoteIdent(schema)}.audit_log`
    /** $1 a JSON array of entries: one statement for every entry of a batch. */
    this.#insert = `INSERT INTO ${A} (id, actor, actor_kind, action, target, details)
      SELECT id, actor, actor_kind, action, target, details
      FROM jsonb_to_recordset($1::jsonb) AS e(id uuid, actor text, actor_kind text, action text, target text, details jsonb)`
    /** $1 limit, $2 before id (keyset: ids are time-ordered), $3 action, $4 actor. */
    this.#list = `SELECT id, at, actor, actor_kind, action, target, details FROM ${A}
      WHERE ($2::uuid IS NULL OR id < $2) AND ($3::text IS NULL OR action = $3) AND ($4::text IS NULL OR actor = $4)
      ORDER BY id DESC LIMIT $1`
  }

  /** Records one entry; resolves once it is written (concurrent calls are written together). */
  async record(e: AuditInput): Promise<void> {
    const failed = await this.#batcher.add({
      id: newId(),
      actor: e.actor.slice(0, 256),
      actor_kind: e.actorKind,
      action: e.action.slice(0, 64),
      target: e.target?.slice(0, 256) ?? null,
      details: e.details ?? {},
    })
    if (failed) throw failed
  }

  /** Writes a batch; when the shared statement fails, each entry alone, so one bad entry loses no other. */
  async #write(rows: Row[]): Promise<(Error | null)[]> {
    try {
      await this.db.query(this.#insert, [JSON.stringify(rows)])
      return rows.map(() => null)
    } catch (err) {
      if (rows.length === 1) return [err as Error]
      return Promise.all(rows.map((r) => this.db.query(this.#insert, [JSON.stringify([r])]).then(() => null, (e: unknown) => e as Error)))
    }
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
