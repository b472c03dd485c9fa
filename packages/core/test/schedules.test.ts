import { describe, expect, it } from 'vitest'
import { parseCron, Scheduler, ticksBetween } from '../src/index.ts'
import { logger, openConveyor } from './helpers.ts'

const MIN = 60_000
const HOUR = 60 * MIN

/** A scheduler whose clock the test sets: `at(ms)` moves it to `base + ms`. */
function clocked(c: Awaited<ReturnType<typeof openConveyor>>, base: Date, graceMs?: number) {
  let now = base
  const scheduler = new Scheduler(c.schedules, logger, { now: async () => now, ...(graceMs ? { graceMs } : {}) })
  return {
    scheduler,
    at(ms: number) {
      now = new Date(base.getTime() + ms)
      return scheduler.runOnce()
    },
  }
}

/** The next whole minute after the schedule was created, so tick times are predictable. */
function minuteAfter(d: Date) {
  return new Date(Math.floor(d.getTime() / MIN) * MIN + MIN)
}

describe('schedules', () => {
  it('validates cron expressions and time zones, and names are unique', async () => {
    const c = await openConveyor()
    await expect(c.schedules.create({ name: 'a', cron: '61 * * * *', type: 'x' })).rejects.toMatchObject({ code: 'invalid_input', details: [{ path: 'cron' }] })
    await expect(c.schedules.create({ name: 'a', cron: '* * *', type: 'x' })).rejects.toMatchObject({ code: 'invalid_input' })
    await expect(c.schedules.create({ name: 'a', cron: '0 8 * * *', timezone: 'Mars/Olympus', type: 'x' })).rejects.toMatchObject({ code: 'invalid_input', details: [{ path: 'timezone' }] })
    // Valid fields that name no date at all: refused rather than kept idle for ever.
    await expect(c.schedules.create({ name: 'a', cron: '0 0 30 2 *', type: 'x' })).rejects.toMatchObject({ code: 'invalid_input', details: [{ path: 'cron' }], message: expect.stringMatching(/never fires/) })
    const s = await c.schedules.create({ name: 'a', cron: '0 8 * * 1-5', timezone: 'Europe/London', type: 'x' })
    expect(s).toMatchObject({ enabled: true, overlap: 'allow', catchUp: 'none', timezone: 'Europe/London' })
    expect(s.nextRunAt).toBeInstanceOf(Date)
    await expect(c.schedules.create({ name: 'a', cron: '* * * * *', type: 'x' })).rejects.toMatchObject({ code: 'already_exists' })
    const changed = await c.schedules.update(s.id, { cron: '30 9 * * *', enabled: false })
    expect(changed).toMatchObject({ cron: '30 9 * * *', enabled: false, nextRunAt: null, name: 'a', timezone: 'Europe/London' })
    expect((await c.schedule({ name: 'a', cron: '* * * * *', type: 'y' })).id).toBe(s.id) // upsert by name
    await c.schedules.remove(s.id)
    await expect(c.schedules.remove(s.id)).rejects.toMatchObject({ code: 'schedule_not_found' })
  })

  it('fires each tick once, with source "schedule" and a link to the schedule', async () => {
    const c = await openConveyor()
    const s = await c.schedules.create({ name: 'every-minute', cron: '* * * * *', type: 'report', payload: { k: 1 } })
    const t0 = minuteAfter(s.createdAt)
    const { at } = clocked(c, t0)
    expect(await at(-1)).toBe(0) // just before the first tick
    expect(await at(0)).toBe(1)
    expect(await at(0)).toBe(0) // the same tick again
    expect(await at(MIN + 10)).toBe(1)
    const { jobs } = await c.listJobs({ type: 'report', sort: 'oldest' })
    expect(jobs.map((j) => j.metadata.scheduledFor)).toEqual([t0.toISOString(), new Date(t0.getTime() + MIN).toISOString()])
    expect(jobs[0]).toMatchObject({ source: 'schedule', payload: { k: 1 }, metadata: { scheduleId: s.id, scheduleName: 'every-minute' } })
    const ticks = await c.schedules.recentTicks(s.id)
    expect(ticks.map((t) => t.outcome)).toEqual(['enqueued', 'enqueued'])
  })

  it('several schedulers on one database, one with its clock 30 s off, fire each tick once', async () => {
    const c = await openConveyor()
    const s = await c.schedules.create({ name: 'busy', cron: '*/10 * * * * *', type: 'tick' })
    const t0 = new Date(Math.ceil(s.createdAt.getTime() / 10_000) * 10_000)
    const a = clocked(c, t0)
    const b = clocked(c, new Date(t0.getTime() + 30_000)) // its clock runs 30 s ahead
    const cSched = clocked(c, t0)
    for (let ms = 0; ms <= 60_000; ms += 5_000) await Promise.all([a.at(ms), b.at(ms), cSched.at(ms)])
    const { jobs } = await c.listJobs({ type: 'tick', limit: 500 })
    const ticks = jobs.map((j) => j.metadata.scheduledFor as string)
    expect(new Set(ticks).size).toBe(ticks.length) // never twice
    // Every tick from t0 to t0+60 s fired (the fast clock fired some early, but each only once).
    for (let ms = 0; ms <= 60_000; ms += 10_000) expect(ticks).toContain(new Date(t0.getTime() + ms).toISOString())
  })

  it('stays exactly once after the jobs are purged', async () => {
    const c = await openConveyor()
    const s = await c.schedules.create({ name: 'p', cron: '* * * * *', type: 'x' })
    const { at } = clocked(c, minuteAfter(s.createdAt))
    expect(await at(0)).toBe(1)
    await c.bulk({ action: 'delete', filter: {} })
    await c.db.query(`UPDATE "${c.schema}".schedules SET last_tick_at = NULL`) // even with the high-water mark lost
    expect(await at(1000)).toBe(0)
  })

  it('overlap "skip" skips a tick while the previous run is pending or running', async () => {
    const c = await openConveyor()
    const s = await c.schedules.create({ name: 'o', cron: '* * * * *', type: 'x', overlap: 'skip' })
    const { at } = clocked(c, minuteAfter(s.createdAt))
    expect(await at(0)).toBe(1)
    expect(await at(MIN)).toBe(0)
    const [job] = (await c.listJobs({ type: 'x' })).jobs
    await c.cancel(job!.id)
    expect(await at(2 * MIN)).toBe(1)
    expect((await c.schedules.recentTicks(s.id)).map((t) => t.outcome)).toEqual(['enqueued', 'skipped_overlap', 'enqueued'])
  })

  it('after downtime, catchUp "latest" enqueues the most recent missed tick once; "none" enqueues nothing', async () => {
    const c = await openConveyor()
    const latest = await c.schedules.create({ name: 'l', cron: '0 * * * *', type: 'latest', catchUp: 'latest' })
    await c.schedules.create({ name: 'n', cron: '0 * * * *', type: 'none' })
    const firstHour = new Date(Math.floor(latest.createdAt.getTime() / HOUR) * HOUR + HOUR)
    const { at } = clocked(c, firstHour)
    expect(await at(5 * HOUR + 20 * MIN)).toBe(1) // down for 5 hours: 6 ticks missed
    const [caught] = (await c.listJobs({ type: 'latest' })).jobs
    expect(caught?.metadata.scheduledFor).toBe(new Date(firstHour.getTime() + 5 * HOUR).toISOString())
    expect((await c.listJobs({ type: 'none' })).count).toBe(0)
    expect(await at(5 * HOUR + 30 * MIN)).toBe(0) // and only once
    expect(await at(6 * HOUR)).toBe(2) // back to normal: both fire the next tick
  })

  it('a schedule resumed skips the ticks of its pause; declaring it again at start-up keeps an operator\'s pause', async () => {
    const c = await openConveyor()
    const dbNow = await c.schedules.now()
    // Hourly, half an hour away from now: no tick falls in the second this test runs in.
    const decl = { name: 'hourly', cron: `${(dbNow.getUTCMinutes() + 30) % 60} * * * *`, type: 'h', catchUp: 'latest' as const }
    const s = await c.schedule(decl)
    await c.schedules.advance(s.id, new Date(dbNow.getTime() - 3 * HOUR)) // it last ran three hours ago…
    await c.schedules.update(s.id, { enabled: false }) // …and an operator paused it since
    expect((await c.schedule(decl)).enabled).toBe(false) // the app restarts and declares its schedules
    const before = await c.schedules.now()
    const resumed = await c.schedules.update(s.id, { enabled: true })
    expect(resumed.lastTickAt!.getTime()).toBeGreaterThanOrEqual(before.getTime())
    // The ticks of the pause were not downtime: catchUp "latest" has nothing to catch up.
    const scheduler = new Scheduler(c.schedules, logger, { now: async () => new Date(before.getTime() + 1000) })
    expect(await scheduler.runOnce()).toBe(0)
    expect((await c.listJobs({ type: 'h' })).count).toBe(0)
    // A declaration that names `enabled` applies it.
    await c.schedules.update(s.id, { enabled: false })
    expect((await c.schedule({ ...decl, enabled: true })).enabled).toBe(true)
  })

  it('trigger enqueues a run now', async () => {
    const c = await openConveyor()
    const s = await c.schedules.create({ name: 't', cron: '0 0 1 1 *', type: 'x', owner: 'u1' })
    const job = await c.schedules.trigger(s.id)
    expect(job).toMatchObject({ source: 'schedule', owner: 'u1', metadata: { scheduleId: s.id } })
    expect((await c.schedules.recentTicks(s.id))[0]).toMatchObject({ outcome: 'triggered', jobId: job.id, jobStatus: 'pending' })
  })
})

describe('cron times across daylight saving', () => {
  const iso = (ds: Date[]) => ds.map((d) => d.toISOString())
  it('Europe/London: 01:30 on the spring-forward day fires once at the jump, and once on the repeated hour', () => {
    const c = parseCron('30 1 * * *', 'Europe/London')
    expect(iso(ticksBetween(c, new Date('2026-03-27T12:00:00Z'), new Date('2026-03-30T12:00:00Z')))).toEqual([
      '2026-03-28T01:30:00.000Z', // GMT
      '2026-03-29T01:00:00.000Z', // 01:30 does not exist: 02:00 BST
      '2026-03-30T00:30:00.000Z', // BST
    ])
    expect(iso(ticksBetween(c, new Date('2026-10-24T12:00:00Z'), new Date('2026-10-26T12:00:00Z')))).toEqual([
      '2026-10-25T00:30:00.000Z', // 01:30 BST, the first of the two 01:30s
      '2026-10-26T01:30:00.000Z', // GMT
    ])
  })

  it('America/New_York: 02:30 on the spring-forward day and 01:30 on the fall-back day', () => {
    expect(iso(ticksBetween(parseCron('30 2 * * *', 'America/New_York'), new Date('2026-03-07T12:00:00Z'), new Date('2026-03-09T12:00:00Z')))).toEqual([
      '2026-03-08T07:00:00.000Z', // 02:30 does not exist: 03:00 EDT
      '2026-03-09T06:30:00.000Z',
    ])
    expect(iso(ticksBetween(parseCron('30 1 * * *', 'America/New_York'), new Date('2026-10-31T12:00:00Z'), new Date('2026-11-02T12:00:00Z')))).toEqual([
      '2026-11-01T05:30:00.000Z', // once, at 01:30 EDT
      '2026-11-02T06:30:00.000Z', // EST
    ])
  })

  it('every weekday at 09:00 in London is 09:00 local on both sides of the change', () => {
    const ticks = ticksBetween(parseCron('0 9 * * 1-5', 'Europe/London'), new Date('2026-03-26T00:00:00Z'), new Date('2026-03-31T00:00:00Z'))
    expect(iso(ticks)).toEqual(['2026-03-26T09:00:00.000Z', '2026-03-27T09:00:00.000Z', '2026-03-30T08:00:00.000Z'])
  })
})
