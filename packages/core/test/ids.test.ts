import { describe, expect, it } from 'vitest'
import { validate, version } from 'uuid'
import { newId } from '../src/ids.ts'

describe('newId', () => {
  it('makes valid UUIDv7s that sort in the order they were made, with no repeats', () => {
    // 20,000 ids in a tight loop: many share a millisecond, and the pool of random bytes is
    // refilled ~40 times, so both the sequence within a millisecond and the refill are crossed.
    const ids = Array.from({ length: 20_000 }, () => newId())
    for (const id of ids.slice(0, 100)) {
      expect(validate(id)).toBe(true)
      expect(version(id)).toBe(7)
    }
    expect(new Set(ids).size).toBe(ids.length)
    const outOfOrder = ids.findIndex((id, i) => i > 0 && id <= ids[i - 1]!)
    expect(outOfOrder).toBe(-1)
  })

  it('starts with the current time in milliseconds', () => {
    const before = Date.now()
    const id = newId()
    const after = Date.now()
    const ms = parseInt(id.replace(/-/g, '').slice(0, 12), 16)
    // The sequence can borrow a millisecond ahead when it runs out; within one ms of now either way.
    expect(ms).toBeGreaterThanOrEqual(before)
    expect(ms).toBeLessThanOrEqual(after + 1)
  })
})
