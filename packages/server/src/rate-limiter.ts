import type { RateLimit } from './config.ts'
import { HttpError } from './errors.ts'

interface Bucket {
  tokens: number
  at: number
}

const SWEEP_AT = 10_000

/**
 * In-memory token buckets, one per caller (API key or user token's owner). Per server: N servers
 * allow N times the rate, which is what a limit against runaway clients needs; it is not a quota.
 */
export class RateLimiter {
  readonly #buckets = new Map<string, Bucket>()

  constructor(
    private readonly limit: RateLimit,
    private readonly now: () => number = Date.now,
  ) {}

  /** Takes `cost` tokens for `who`, or throws rate_limited (429) with Retry-After in whole seconds. */
  take(who: string, cost = 1): void {
    const { perSecond, burst } = this.limit
    if (cost > burst)
      // Waiting would never help: say so instead of answering 429.
      throw new HttpError('invalid_input', `${cost} jobs at once exceed this caller's rate-limit burst of ${burst}; send smaller batches`, [
        { in: 'body', path: 'jobs', message: `at most ${burst} jobs per request for this caller` },
      ])
    const now = this.now()
    const b = this.#buckets.get(who) ?? { tokens: burst, at: now }
    b.tokens = Math.min(burst, b.tokens + ((now - b.at) / 1000) * perSecond)
    b.at = now
    if (b.tokens < cost) {
      this.#buckets.set(who, b)
      const retryAfter = Math.max(1, Math.ceil((cost - b.tokens) / perSecond))
      throw new HttpError('rate_limited', `too many enqueues: at most ${perSecond}/s (bursts of ${burst}); retry in ${retryAfter} s`, undefined, {
        'retry-after': String(retryAfter),
      })
    }
    b.tokens -= cost
    this.#buckets.set(who, b)
    if (this.#buckets.size > SWEEP_AT) this.#sweep(now)
  }

  /** Drops buckets that have refilled: they hold nothing a fresh bucket would not. */
  #sweep(now: number) {
    const { perSecond, burst } = this.limit
    for (const [who, b] of this.#buckets) if (b.tokens + ((now - b.at) / 1000) * perSecond >= burst) this.#buckets.delete(who)
  }
}
