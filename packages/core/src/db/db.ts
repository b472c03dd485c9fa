/**
 * The one seam between Conveyor and its database. Two adapters implement it: PostgreSQL through a
 * connection pool (pg-adapter.ts) and embedded PGlite (pglite-adapter.ts). Everything above this
 * seam speaks plain PostgreSQL 15 SQL with $n parameters and gets rows with normalised types
 * (int8 as a JS number, timestamptz as Date, json/jsonb parsed), whichever adapter runs it.
 */
export type Row = Record<string, unknown>

export interface QueryOptions {
  /**
   * Run as a named prepared statement, parsed once per connection. For the few statements run
   * thousands of times a second: parse and plan were a third of a one-row enqueue's time. Not for
   * statements whose best plan depends on which optional filters are set.
   *
   * 'generic': also planned once for all parameter values (PostgreSQL: on connections whose
   * plan_cache_mode is force_generic_plan; PGlite plans as for `true`). For a statement PostgreSQL
   * would otherwise re-plan on every call because its custom plans look cheaper (a LIMIT $n), whose
   * generic plan is known to be good.
   */
  prepare?: boolean | 'generic'
}

export interface Queryable {
  /** One statement with bound parameters; resolves to its rows. */
  query<T = Row>(text: string, params?: readonly unknown[], options?: QueryOptions): Promise<T[]>
  /** Several statements, no parameters (migrations). */
  exec(text: string): Promise<void>
}

export interface Db extends Queryable {
  readonly kind: 'postgres' | 'pglite'
  /** Runs fn inside BEGIN … COMMIT on one connection; rolls back if fn throws. */
  transaction<T>(fn: (tx: Queryable) => Promise<T>): Promise<T>
  /**
   * Subscribes to a NOTIFY channel. `onReconnect` is called when the listening connection was lost
   * and re-established (notifications may have been missed meanwhile).
   */
  listen(channel: string, onPayload: (payload: string) => void, onReconnect?: () => void): Promise<() => Promise<void>>
  close(): Promise<void>
}

/** Quotes an identifier (the schema name) for interpolation; the only value ever put into SQL text. */
export function quoteIdent(name: string): string {
  return '"' + name.replace(/"/g, '""') + '"'
}
