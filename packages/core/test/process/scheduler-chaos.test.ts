import { describe, expect, it } from 'vitest'
import { DATABASE_URL } from '../helpers.ts'
import { type Child, spawnChild } from './children.ts'
import { sharedStore } from './store.ts'

const SECOND = 1000

/**
 * Exactly once per tick with no leader: three scheduler processes on one PostgreSQL, a schedule every
 * second, and one process SIGKILLed and restarted at random every few seconds for 60 s. Every tick
 * between the first and the last must have exactly one job. (PostgreSQL only: an embedded data
 * directory belongs to one process, so PGlite cannot have three schedulers.)
 */
describe.skipIf(!DATABASE_URL)('schedulers in several processes', () => {
  it(
    'three schedulers, one killed and restarted at random every few seconds for 60 s: one job per tick, none missed',
    async () => {
      const store = await sharedStore()
      const setup = await store.open()
      const schedule = await setup.schedules.create({ name: 'every-second', cron: '* * * * * *', type: 'tick' })
      const start = async () => {
        const child = spawnChild('scheduler', store.childConfig)
        await child.waitFor((m) => m.event === 'ready')
        return child
      }
      const children: Child[] = await Promise.all([start(), start(), start()])
      const until = Date.now() + 60 * SECOND
      let kills = 0
      while (Date.now() < until) {
        // The chaos itself is timed: a pause of 1–4 s, then one random process dies and a new one starts.
        await new Promise((r) => setTimeout(r, SECOND + Math.random() * 3 * SECOND))
        const i = Math.floor(Math.random() * children.length)
        await children[i]!.kill()
        kills++
        children[i] = await start()
      }
      const end = await setup.schedules.now()
      await Promise.all(children.map((c) => c.kill()))

      const { jobs } = await setup.listJobs({ type: 'tick', limit: 500 })
      const ticks = jobs.map((j) => Date.parse(j.metadata.scheduledFor as string)).sort((a, b) => a - b)
      expect(kills).toBeGreaterThanOrEqual(12)
      expect(new Set(ticks).size, 'a tick fired twice').toBe(ticks.length)
      // Contiguous from the first tick to the last second before the end (at least two processes were
      // always up): no gap anywhere.
      const first = ticks[0]!
      const last = Math.floor(end.getTime() / SECOND) * SECOND - SECOND
      const expected: number[] = []
      for (let t = first; t <= last; t += SECOND) expected.push(t)
      expect(ticks.filter((t) => t <= last)).toEqual(expected)
      expect(expected.length).toBeGreaterThanOrEqual(55)
      expect((await setup.schedules.recentTicks(schedule.id, 1))[0]?.outcome).toBe('enqueued')
    },
    120_000,
  )
})
