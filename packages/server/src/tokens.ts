import { createHmac, timingSafeEqual } from 'node:crypto'

/** Every user token starts with this, so the server tells tokens from API keys without a lookup. */
export const TOKEN_PREFIX = 'cvt_'

export interface UserToken {
  owner: string
  expiresAt: Date
}

/**
 * User tokens: `cvt_` + base64url(JSON { o: owner, e: expiry in epoch seconds }) + `.` + base64url(HMAC-SHA256).
 * Stateless, so any server sharing the secret verifies them without a database read. They cannot
 * be revoked one by one: keep them short-lived (default one hour).
 */
export class TokenSigner {
  constructor(private readonly secret: string) {}

  sign(owner: string, ttlSeconds: number, now = Date.now()): { token: string; expiresAt: Date } {
    const e = Math.floor(now / 1000) + ttlSeconds
    const body = Buffer.from(JSON.stringify({ o: owner, e })).toString('base64url')
    return { token: `${TOKEN_PREFIX}${body}.${this.#mac(body)}`, expiresAt: new Date(e * 1000) }
  }

  /** The token's owner, or null when it is malformed, forged or expired. */
  verify(token: string, now = Date.now()): UserToken | null {
    if (!token.startsWith(TOKEN_PREFIX)) return null
    const [body, mac, extra] = token.slice(TOKEN_PREFIX.length).split('.')
    if (!body || !mac || extra !== undefined) return null
    const expected = Buffer.from(this.#mac(body))
    const given = Buffer.from(mac)
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) return null
    try {
      const claims = JSON.parse(Buffer.from(body, 'base64url').toString('utf8')) as { o?: unknown; e?: unknown }
      if (typeof claims.o !== 'string' || typeof claims.e !== 'number') return null
      if (claims.e * 1000 <= now) return null
      return { owner: claims.o, expiresAt: new Date(claims.e * 1000) }
    } catch {
      return null
    }
  }

  #mac(body: string): string {
    return createHmac('sha256', this.secret).update(body).digest('base64url')
  }
}
