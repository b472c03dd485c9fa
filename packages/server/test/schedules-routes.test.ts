import { scheduleResponseSchema, schedulesResponseSchema } from '@conveyor/contracts'
import { describe, expect, it } from 'vitest'
import { openApp } from './helpers.ts'

describe('schedules routes', () => {
  it('creates a schedule with its defaults, next run and next five runs in its zone, and refuses a taken name (409)', async () => {
    const { call } = await openApp()
    const res = await call('POST', '/api/schedules', undefined, { name: 'weekday report', cron: '0 9 * * 1-5', timezone: 'Europe/London', type: 'report' })
    expect(res.status).toBe(201)
    const s = scheduleResponseSchema.parse(res.body).schedule
    expect(s).toMatchObject({ name: 'weekday report', queue: 'default', priority: 0, enabled: true, overlap: 'allow', catchUp: 'none', lastRunAt: null })
    expect(s.nextRuns).toHaveLength(5)
    expect(s.nextRunAt).toBe(s.nextRuns[0])
    const times = s.nextRuns.map((t) => new Date(t))
    for (let i = 1; i < times.length; i++) expect(times[i]!.getTime()).toBeGreaterThan(times[i - 1]!.getTime())
    for (const t of times) {
      // 09:00 on a weekday, read in London whatever its offset from UTC that day.
      const parts = new Intl.DateTimeFormat('en-GB', { timeZone: 'Europe/London', weekday: 'short', hour: '2-digit', minute: '2-digit', hour12: false }).format(t)
      expect(parts).toMatch(/^(Mon|Tue|Wed|Thu|Fri) 09:00$/)
    }
    const taken = await call('POST', '/api/schedules', undefined, { name: 'weekday report', cron: '* * * * *', type: 'x' })
    expect(taken.status).toBe(409)
    expect(taken.body.error.code).toBe('already_exists')
    expect(schedulesResponseSchema.parse((await call('GET', '/api/schedules')).body).schedules.map((x) => x.name)).toEqual(['weekday report'])
  })

  it('refuses a bad cron, an unknown time zone and unknown fields (400), writing nothing', async () => {
    const { call } = await openApp()
    const bad = await call('POST', '/api/schedules', undefined, { name: 'a', cron: '61 * * * *', type: 'x' })
    expect(bad.status).toBe(400)
    expect(bad.body.error).toMatchObject({ code: 'invalid_input', details: [expect.objectContaining({ path: 'cron' })] })
    const fields = await call('POST', '/api/schedules', undefined, { name: 'a', cron: '* * *', type: 'x' })
    expect(fields.body.error.message).toContain('3 fields')
    const zone = await call('POST', '/api/schedules', undefined, { name: 'a', cron: '0 9 * * *', timezone: 'Mars/Olympus', type: 'x' })
    expect(zone.body.error).toMatchObject({ code: 'invalid_input', details: [expect.objectContaining({ path: 'timezone' })] })
    const unknown = await call('POST', '/api/schedules', undefined, { name: 'a', cron: '0 9 * * *', type: 'x', every: 'day' })
    expect(unknown.body.error).toMatchObject({ code: 'invalid_input', details: [{ in: 'body', path: 'every', message: 'unknown field' }] })
    expect((await call('GET', '/api/schedules')).body.schedules).toEqual([])
  })

  it('triggers a run now (201) whose job links back to the schedule, and shows it among the recent runs', async () => {
    const { call } = await openApp()
    const s = (await call('POST', '/api/schedules', undefined, { name: 'sync', cron: '0 3 * * *', type: 'sync', payload: { full: true }, owner: 'u1', queue: 'slow' })).body.schedule
    const run = await call('POST', `/api/schedules/${s.id}/trigger`)
    expect(run.status).toBe(201)
    expect(run.body.job).toMatchObject({ type: 'sync', payload: { full: true }, owner: 'u1', queue: 'slow', source: 'schedule', metadata: { scheduleId: s.id, scheduleName: 'sync' } })
    const got = scheduleResponseSchema.parse((await call('GET', `/api/schedules/${s.id}`)).body).schedule
    expect(got.recentRuns).toEqual([expect.objectContaining({ outcome: 'triggered', jobId: run.body.job.id, jobStatus: 'pending', jobStartedAt: null })])
    expect((await call('GET', `/api/jobs?metadata=${encodeURIComponent(JSON.stringify({ scheduleId: s.id }))}`)).body.count).toBe(1)
  })

  it('changes a schedule (disable: no next runs; edit), refuses a bad change, removes it, then answers 404', async () => {
    const { call } = await openApp()
    const s = (await call('POST', '/api/schedules', undefined, { name: 'n', cron: '*/5 * * * *', type: 'x' })).body.schedule
    const off = await call('PATCH', `/api/schedules/${s.id}`, undefined, { enabled: false })
    expect(off.status).toBe(200)
    expect(off.body.schedule).toMatchObject({ enabled: false, nextRunAt: null, nextRuns: [], cron: '*/5 * * * *' })
    const edited = (await call('PATCH', `/api/schedules/${s.id}`, undefined, { enabled: true, cron: '0 12 * * *', timezone: 'America/New_York', overlap: 'skip' })).body.schedule
    expect(edited).toMatchObject({ name: 'n', cron: '0 12 * * *', timezone: 'America/New_York', overlap: 'skip', enabled: true })
    expect(new Date(edited.nextRunAt).toLocaleTimeString('en-US', { timeZone: 'America/New_York', hour12: false })).toBe('12:00:00')
    expect((await call('PATCH', `/api/schedules/${s.id}`, undefined, { cron: 'nope' })).status).toBe(400)
    expect((await call('GET', `/api/schedules/${s.id}`)).body.schedule.cron).toBe('0 12 * * *')

    expect(await call('DELETE', `/api/schedules/${s.id}`)).toMatchObject({ status: 200, body: { deleted: s.id } })
    for (const [method, path] of [
      ['GET', `/api/schedules/${s.id}`],
      ['PATCH', `/api/schedules/${s.id}`],
      ['DELETE', `/api/schedules/${s.id}`],
      ['POST', `/api/schedules/${s.id}/trigger`],
      ['GET', '/api/schedules/not-a-uuid'],
    ] as const) {
      const res = await call(method, path, undefined, method === 'PATCH' ? { enabled: true } : undefined)
      expect(res.status, `${method} ${path}`).toBe(404)
      expect(res.body.error.code).toBe('schedule_not_found')
    }
  })

  it('shows the ticks the scheduler fired as recent runs with their outcome, and the last one as lastRunAt', async () => {
    const { call, conveyor } = await openApp()
    // Created in the past through the engine, so that a tick is due now without waiting for one.
    const s = (await call('POST', '/api/schedules', undefined, { name: 'minutely', cron: '* * * * *', type: 'tick', catchUp: 'latest' })).body.schedule
    await conveyor.db.query(`UPDATE "${conveyor.schema}".schedules SET created_at = now() - interval '10 minutes' WHERE id = $1`, [s.id])
    await conveyor.scheduler.runOnce()
    const got = (await call('GET', `/api/schedules/${s.id}`)).body.schedule
    expect(got.recentRuns).toEqual([expect.objectContaining({ outcome: expect.stringMatching(/^(enqueued|caught_up)$/), jobStatus: 'pending' })])
    expect(got.lastRunAt).toBe(got.recentRuns[0].tickAt)
    const job = (await call('GET', `/api/jobs/${got.recentRuns[0].jobId}`)).body.job
    expect(job).toMatchObject({ source: 'schedule', metadata: { scheduleId: s.id, scheduledFor: got.lastRunAt } })
  })
})
