import { createHash } from 'node:crypto'
import pg from 'pg'
import type { Logger } from 'pino'
import type { Db, Queryable, QueryOptions, Row } from './db.ts'

const INT8_OID = 20
const NUMERIC_OID = 1700

/** pg returns int8 and numeric as strings (to be exact past 2^53); our counts and sums fit in a double. */
const types = {
  getTypeParser(oid: number, format?: 'text' | 'binary') {
    if (oid === INT8_OID || oid === NUMERIC_OID) return (v: string) => Number(v)
    return pg.types.getTypeParser(oid, format as 'text')
  },
}

export interface PgAdapterOptions {
  connectionString: string
  /** Pool size. 10 keeps claim, complete, heartbeat and API reads from queueing behind each other. */
  max?: number
  logger: Logger
}

export class PgAdapter implements Db {
  readonly kind = 'postgres' as const
  readonly #pool: pg.Pool
  /** Connections that plan prepared statements once for all values (QueryOptions prepare 'generic'); opened on first use. */
  readonly #genericPool: pg.Pool
  readonly #options: PgAdapterOptions
  readonly #listeners = new Set<ListenConnection>()

  constructor(options: PgAdapterOptions) {
    this.#options = options
    this.#pool = new pg.Pool({
      connectionString: options.connectionString,
      max: options.max ?? 10,
      types,
      application_name: 'conveyor',
    })
    this.#genericPool = new pg.Pool({
      connectionString: options.connectionString,
      max: 2,
      types,
      application_name: 'conveyor',
      options: '-c plan_cache_mode=force_generic_plan',
    })
    // An idle client whose backend was terminated emits 'error' on the pool; without a handler Node
    // would crash. The pool drops that client and opens a new one on the next query.
    for (const pool of [this.#pool, this.#genericPool]) pool.on('error', (err) => options.logger.warn({ err }, 'idle database connection lost'))
  }

  async query<T = Row>(text: string, params?: readonly unknown[], options?: QueryOptions): Promise<T[]> {
    if (!options?.prepare) return (await this.#pool.query(text, params as unknown[] | undefined)).rows as T[]
    const config = prepared(text, params)
    const pool = options.prepare === 'generic' ? this.#genericPool : this.#pool
    try {
      return (await pool.query(config)).rows as T[]
    } catch (err) {
      // A migration run by another process changed a table under a statement this connection had
      // prepared. The pool has destroyed that connection (a query error releases it so); a new one
      // prepares the statement afresh.
      if (!isStalePlan(err)) throw err
      return (await pool.query(config)).rows as T[]
    }
  }

  async exec(text: string): Promise<void> {
    await this.#pool.query(text)
  }

  async transaction<T>(fn: (tx: Queryable) => Promise<T>): Promise<T> {
    const client = await this.#pool.connect()
    let broken: unknown
    // The pool removes its 'error' listener from a client it hands out, and a connection lost
    // mid-transaction (a database restart, pg_terminate_backend) emits 'error' on the client: with no
    // listener that crashed the process. The query in flight rejects by itself; here the connection is
    // only marked broken, so that it is destroyed instead of going back to the pool.
    const onError = (err: Error) => {
      broken = err
    }
    client.on('error', onError)
    try {
      await client.query('BEGIN')
      const tx: Queryable = {
        query: async <R = Row>(text: string, params?: readonly unknown[], options?: QueryOptions) =>
          (await client.query(options?.prepare ? prepared(text, params) : { text, values: params as unknown[] | undefined })).rows as R[],
        exec: async (text: string) => {
          await client.query(text)
        },
      }
      const value = await fn(tx)
      await client.query('COMMIT')
      return value
    } catch (err) {
      try {
        await client.query('ROLLBACK')
      } catch (rollbackErr) {
        broken = rollbackErr
      }
      throw err
    } finally {
      // A connection that failed to roll back is destroyed rather than returned in an unknown state.
      client.removeListener('error', onError)
      client.release(broken instanceof Error ? broken : undefined)
    }
  }

  async listen(channel: string, onPayload: (payload: string) => void, onReconnect?: () => void) {
    const conn = new ListenConnection(this.#options, channel, onPayload, onReconnect)
    this.#listeners.add(conn)
    await conn.start()
    return async () => {
      this.#listeners.delete(conn)
      await conn.stop()
    }
  }

  async close(): Promise<void> {
    await Promise.all([...this.#listeners].map((l) => l.stop()))
    this.#listeners.clear()
    await Promise.all([this.#pool.end(), this.#genericPool.end()])
  }
}

/**
 * A dedicated connection for LISTEN (a pooled one would be handed to other queries). When it is lost
 * it reconnects with backoff and tells the subscriber, who must assume it missed notifications.
 */
class ListenConnection {
  #client: pg.Client | undefined
  #stopped = false
  #reconnecting = false
  #wake: (() => void) | undefined

  constructor(
    private readonly options: PgAdapterOptions,
    private readonly channel: string,
    private readonly onPayload: (payload: string) => void,
    private readonly onReconnect?: () => void,
  ) {}

  async start(): Promise<void> {
    const client = new pg.Client({ connectionString: this.options.connectionString, types, application_name: 'conveyor-listen' })
    client.on('notification', (msg) => {
      if (msg.channel === this.channel && msg.payload !== undefined) this.onPayload(msg.payload)
    })
    client.on('error', (err) => {
      this.options.logger.warn({ err, channel: this.channel }, 'LISTEN connection lost; reconnecting')
      this.#reconnect(client)
    })
    client.on('end', () => this.#reconnect(client))
    try {
      await client.connect()
      await client.query(`LISTEN ${pgIdent(this.channel)}`)
    } catch (err) {
      client.removeAllListeners()
      client.on('error', () => {})
      await client.end().catch(() => {})
      throw err
    }
    this.#client = client
  }

  #reconnect(client: pg.Client) {
    if (this.#stopped || this.#reconnecting || this.#client !== client) return
    this.#reconnecting = true
    this.#client = undefined
    client.removeAllListeners()
    client.on('error', () => {})
    client.end().catch(() => {})
    void (async () => {
      for (let attempt = 0; !this.#stopped; attempt++) {
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, Math.min(100 * 2 ** attempt, 5000))
          this.#wake = () => {
            clearTimeout(timer)
            resolve()
          }
        })
        if (this.#stopped) return
        try {
          await this.start()
          this.#reconnecting = false
          this.onReconnect?.()
          return
        } catch (err) {
          this.options.logger.warn({ err, channel: this.channel }, 'LISTEN reconnect failed; trying again')
        }
      }
    })()
  }

  async stop(): Promise<void> {
    this.#stopped = true
    this.#wake?.()
    const client = this.#client
    this.#client = undefined
    if (client) {
      client.removeAllListeners()
      client.on('error', () => {})
      await client.end().catch(() => {})
    }
  }
}

const statementNames = new Map<string, string>()

/** A named statement: the name is a hash of its text, so each connection prepares each text once. */
function prepared(text: string, params?: readonly unknown[]): pg.QueryConfig {
  let name = statementNames.get(text)
  if (!name) {
    name = `cv_${createHash('sha1').update(text).digest('hex').slice(0, 20)}`
    statementNames.set(text, name)
  }
  return { name, text, values: params as unknown[] | undefined }
}

/** PostgreSQL refused a prepared statement whose tables changed shape since it was prepared. */
function isStalePlan(err: unknown): boolean {
  return (err as { code?: string } | null)?.code === '0A000' && /cached plan/.test(String((err as Error).message))
}

function pgIdent(name: string): string {
  return '"' + name.replace(/"/g, '""') + '"'
}
