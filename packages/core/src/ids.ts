import { randomFillSync } from 'node:crypto'
import { v7 } from 'uuid'

/**
 * UUIDv7 ids, as `uuid`'s v7() makes them (time-ordered, monotonic within a millisecond), but with
 * the random bytes drawn from a pool. v7() draws its 16 bytes with crypto.getRandomValues on every
 * call: ~2–3.5 µs an id on Node 20, a fifth of the Node time of a job enqueued in a batch of 1,000.
 * From a pool refilled 512 ids at a time it is ~0.4 µs. The millisecond and sequence are kept here,
 * the way v7() keeps them when called without options (it keeps none when given its random bytes).
 */
const POOL_BYTES = 16 * 512
const pool = new Uint8Array(POOL_BYTES)
let next = POOL_BYTES
const state = { msecs: -Infinity, seq: 0 }

export function newId(): string {
  if (next >= POOL_BYTES) {
    randomFillSync(pool)
    next = 0
  }
  const random = pool.subarray(next, next + 16)
  next += 16
  const now = Date.now()
  if (now > state.msecs) {
    // A new millisecond starts its sequence at a random 31-bit value, as v7() does.
    state.seq = ((random[6]! & 0x7f) << 24) | (random[7]! << 16) | (random[8]! << 8) | random[9]!
    state.msecs = now
  } else {
    state.seq = (state.seq + 1) | 0
    // The sequence ran out within one millisecond: borrow the next one, which keeps ids ordered.
    if (state.seq === 0) state.msecs++
  }
  return v7({ random, msecs: state.msecs, seq: state.seq })
}
