import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from 'node:crypto'
import type { FastifyRequest } from 'fastify'

/** The dashboard's session cookie. */
export const SESSION_COOKIE = 'conveyor_session'
/** A session ends this long after sign-in; signing in again starts a new one. */
export const SESSION_TTL_MS = 12 * 3600 * 1000
/** The name of the session secret in the server_secrets table (shared by every server of a database). */
export const SESSION_SECRET_NAME = 'dashboard_session'

/** When the dashboard session a request came with ends (ms since the epoch): an event stream ends then too. */
export const SESSION_EXPIRY = new WeakMap<FastifyRequest, number>()

/** What a session cookie carries once opened. */
export interface Session {
  /** A random id: signing out remembers it until it would have expired. */
  sid: string
  /** The API key signed in with; requests of the session authenticate with it, so revoking the key ends the session. */
  key: string
  /** Expiry, ms since the epoch. */
  exp: number
}

const IV_BYTES = 12
const TAG_BYTES = 16

/**
 * Seals sessions into cookie values and opens them again. The key is encrypted (AES-256-GCM), not
 * just signed: a cookie jar or a log that holds the cookie must not hold the API key in clear, and the
 * authenticated encryption also binds the expiry. The secret comes from the database, so every server
 * of one database opens the others' cookies and sessions survive a restart. Signing out is
 * remembered per server, in memory, until the session would have expired anyway.
 */
export class SessionSealer {
  readonly #encKey: Buffer
  /** The secret @fastify/cookie signs the cookie with (a key distinct from the encryption key). */
  readonly signingSecret: string
  readonly #signedOut = new Map<string, number>()

  constructor(secret: string) {
    const derive = (info: string) => Buffer.from(hkdfSync('sha256', secret, 'conveyor-session', info, 32))
    this.#encKey = derive('encrypt')
    this.signingSecret = derive('sign').toString('base64url')
  }

  seal(key: string, now = Date.now()): { value: string; session: Session } {
    const session: Session = { sid: randomBytes(16).toString('base64url'), key, exp: now + SESSION_TTL_MS }
    const iv = randomBytes(IV_BYTES)
    const cipher = createCipheriv('aes-256-gcm', this.#encKey, iv)
    const body = Buffer.concat([cipher.update(JSON.stringify(session), 'utf8'), cipher.final()])
    return { value: Buffer.concat([iv, cipher.getAuthTag(), body]).toString('base64url'), session }
  }

  /** The session of a cookie value; null when forged, expired or signed out. */
  open(value: string, now = Date.now()): Session | null {
    const raw = Buffer.from(value, 'base64url')
    if (raw.length <= IV_BYTES + TAG_BYTES) return null
    let session: Session
    try {
      const decipher = createDecipheriv('aes-256-gcm', this.#encKey, raw.subarray(0, IV_BYTES))
      decipher.setAuthTag(raw.subarray(IV_BYTES, IV_BYTES + TAG_BYTES))
      const text = Buffer.concat([decipher.update(raw.subarray(IV_BYTES + TAG_BYTES)), decipher.final()]).toString('utf8')
      session = JSON.parse(text) as Session
    } catch {
      return null
    }
    if (typeof session.key !== 'string' || typeof session.sid !== 'string' || !(session.exp > now)) return null
    if (this.#signedOut.has(session.sid)) return null
    return session
  }

  signOut(session: Session, now = Date.now()): void {
    for (const [sid, exp] of this.#signedOut) if (exp <= now) this.#signedOut.delete(sid)
    this.#signedOut.set(session.sid, session.exp)
  }
}
