import { timingSafeEqual } from 'node:crypto'
import type { KeyRole } from '@conveyor/contracts'
import { hashKey, type KeyStore } from '@conveyor/core'
import type { Logger } from 'pino'
import { HttpError } from './errors.ts'
import { TOKEN_PREFIX, type TokenSigner } from './tokens.ts'

/** Who is calling: an API key with its role, or a user token bound to one owner. */
export type Caller = { role: KeyRole; keyId: string; name: string } | { role: 'user'; owner: string; expiresAt: Date }

/** The scope of the job operations: a user token sees and touches only its owner's jobs. */
export function scopeOf(caller: Caller | null): { owner?: string } {
  return caller?.role === 'user' ? { owner: caller.owner } : {}
}

/** Marks the caller authenticated by CONVEYOR_ADMIN_KEY (it has no row in api_keys). */
export const ENV_ADMIN_KEY_ID = 'env'

const LAST_USED_EVERY_MS = 60_000
const MAX_CACHED = 10_000

interface Cached {
  caller: Caller | null
  at: number
}

/**
 * Turns a bearer credential into a Caller. API keys are looked up by hash and then trusted for
 * `cacheMs` (a read per request would halve the throughput of cheap routes); a key revoked through
 * this server is forgotten at once, one revoked elsewhere within cacheMs. User tokens are verified by
 * their signature alone.
 */
export class Authenticator {
  readonly #cache = new Map<string, Cached>()
  readonly #touched = new Map<string, number>()
  readonly #reading = new Map<string, Promise<Caller | null>>()
  readonly #adminHash: Buffer | null

  constructor(
    private readonly keys: KeyStore,
    private readonly tokens: TokenSigner,
    adminKey: string | undefined,
    private readonly cacheMs: number,
    private readonly logger: Logger,
  ) {
    this.#adminHash = adminKey ? Buffer.from(hashKey(adminKey), 'hex') : null
  }

  /** The caller of a request, from `Authorization: Bearer …` (or the given query token); 401 when absent or bad. */
  async authenticate(authorization: string | undefined, queryToken?: string): Promise<Caller> {
    const credential = bearer(authorization) ?? queryToken
    if (!credential) throw new HttpError('unauthorized', 'send an API key or user token as Authorization: Bearer …')
    if (credential.startsWith(TOKEN_PREFIX)) {
      const t = this.tokens.verify(credential)
      if (!t) throw new HttpError('unauthorized', 'the user token is invalid or expired; ask your backend for a new one')
      return { role: 'user', owner: t.owner, expiresAt: t.expiresAt }
    }
    const hash = hashKey(credential)
    if (this.#adminHash) {
      const given = Buffer.from(hash, 'hex')
      if (timingSafeEqual(given, this.#adminHash)) return { role: 'admin', keyId: ENV_ADMIN_KEY_ID, name: 'CONVEYOR_ADMIN_KEY' }
    }
    const caller = await this.#lookup(credential, hash)
    if (!caller) throw new HttpError('unauthorized', 'unknown or revoked API key')
    return caller
  }

  /** Forgets cached keys (after a revocation), so the next request looks them up again. */
  forgetAll(): void {
    this.#cache.clear()
    this.#reading.clear()
  }

  async #lookup(key: string, hash: string): Promise<Caller | null> {
    const now = Date.now()
    const hit = this.#cache.get(hash)
    if (hit && now - hit.at < this.cacheMs) return hit.caller
    // Requests missing the cache together (every event stream of a key rechecks it at the same
    // keep-alive) share one read.
    const pending = this.#reading.get(hash)
    if (pending) return pending
    const read = this.#read(key, hash, now).finally(() => {
      if (this.#reading.get(hash) === read) this.#reading.delete(hash)
    })
    this.#reading.set(hash, read)
    return read
  }

  async #read(key: string, hash: string, now: number): Promise<Caller | null> {
    const info = await this.keys.findByKey(key)
    const caller: Caller | null = info ? { role: info.role, keyId: info.id, name: info.name } : null
    if (this.cacheMs > 0) {
      if (this.#cache.size >= MAX_CACHED) this.#cache.delete(this.#cache.keys().next().value as string)
      this.#cache.set(hash, { caller, at: now })
    }
    if (info) this.#touch(info.id, now)
    return caller
  }

  /** last_used_at is written at most once a minute per key: it is a write on a read path. */
  #touch(id: string, now: number) {
    const last = this.#touched.get(id) ?? 0
    if (now - last < LAST_USED_EVERY_MS) return
    this.#touched.set(id, now)
    this.keys.touch(id).catch((err) => this.logger.warn({ err }, 'could not record key use'))
  }
}

function bearer(header: string | undefined): string | undefined {
  if (!header) return undefined
  const m = /^Bearer\s+(\S+)\s*$/i.exec(header)
  return m?.[1]
}
