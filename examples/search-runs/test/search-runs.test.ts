import { nextTicks, parseCron } from '@conveyor/core'
import { describe, expect, it } from 'vitest'
import { cleanup, openConveyor, waitForStatus } from '../../../packages/client/test/helpers.ts'
import { startSearchRuns } from '../src/app.ts'
import { hasPython, startPythonWorker } from '../src/python-worker.ts'
import type { SearchUser } from '../src/schedule-searches.ts'
import { activeRun, rerun, type SearchRun, startSearch } from '../src/search-runs.ts'
import { FAIRNESS, SCHEDULES, SEARCH, SEARCH_QUEUE, TIMEZONE } from '../src/settings.ts'

const python = hasPython()

const USERS: SearchUser[] = [
  { id: 'alice', search: { jobTitle: 'engineer', location: 'London' } },
  { id: 'bob', search: { jobTitle: 'nurse', location: 'Leeds', resultsWanted: 2 } },
  { id: 'carol', search: { jobTitle: 'designer', location: 'Bristol', site: 'linkedin', resultsWanted: 7 } },
]
const phone = { device: 'phone', userAgent: 'Mozilla/5.0 (iPhone)' }
const laptop = { device: 'laptop', userAgent: 'Mozilla/5.0 (X11; Linux x86_64)' }

async function start() {
  const conveyor = await openConveyor()
  const example = await startSearchRuns(conveyor, { apiPort: 0, appPort: 0, users: () => USERS })
  cleanup(() => example.close())
  return { conveyor, example }
}

/** Runs the schedule now (as its tick would) and waits for its fan-out job to finish. */
async function triggerSchedule(conveyor: Awaited<ReturnType<typeof openConveyor>>) {
  const schedule = await conveyor.schedules.getByName(SCHEDULES[0].name)
  const fanOut = await conveyor.schedules.trigger(schedule!.id)
  return waitForStatus(conveyor, fanOut.id, ['completed', 'failed'])
}

describe('search runs (seed 003)', () => {
  it('per-user fairness is on for the search queue, and the schedules fire at 08:00, 10:00, 14:00, 16:00, 16:45 and 22:00 London time, in winter and in summer', async () => {
    const { conveyor } = await start()
    const schedules = (await conveyor.schedules.list()).filter((s) => s.type === 'schedule-searches')
    expect(schedules.map((s) => [s.name, s.cron, s.timezone]).sort()).toEqual(SCHEDULES.map((s) => [s.name, s.cron, TIMEZONE]).sort())
    const london = new Intl.DateTimeFormat('en-GB', { timeZone: TIMEZONE, hour: '2-digit', minute: '2-digit', hour12: false })
    for (const day of ['2025-01-15T00:00:00Z', '2025-07-15T00:00:00Z']) {
      const ticks = schedules.flatMap((s) => nextTicks(parseCron(s.cron, s.timezone), 6, new Date(day)))
      const firstDay = ticks.filter((t) => t.getTime() < Date.parse(day) + 24 * 3600_000).sort((a, b) => a.getTime() - b.getTime())
      expect(firstDay.map((t) => london.format(t))).toEqual(['08:00', '10:00', '14:00', '16:00', '16:45', '22:00'])
    }
    // 08:00 in London is 08:00 UTC in January and 07:00 UTC in July.
    expect(nextTicks(parseCron(SCHEDULES[0].cron, TIMEZONE), 1, new Date('2025-07-15T00:00:00Z'))[0]!.toISOString()).toBe('2025-07-15T07:00:00.000Z')
    expect((await conveyor.jobs.queueLimits()).get(SEARCH_QUEUE)).toEqual(FAIRNESS)
  })

  it('a schedule run enqueues one search per user with their last criteria; a repeated fan-out adds none', async () => {
    const { conveyor, example } = await start()
    const alice = await example.clientFor('alice')
    // Alice searched by hand before: the schedule repeats her last search, not her saved one.
    const manual = await startSearch(alice, { jobTitle: 'data engineer', location: 'Manchester' }, phone)
    await alice.cancel(manual.id)

    const fanOut = await triggerSchedule(conveyor)
    expect(fanOut.status).toBe('completed')
    expect(fanOut.result).toEqual({ users: 3, enqueued: 3, alreadyThere: 0, rateLimited: [] })
    const { jobs } = await conveyor.listJobs({ type: SEARCH, status: ['pending'] })
    expect(jobs.map((j) => [j.owner, j.source, j.queue, j.payload]).sort()).toEqual([
      ['alice', 'schedule', SEARCH_QUEUE, { jobTitle: 'data engineer', location: 'Manchester' }],
      ['bob', 'schedule', SEARCH_QUEUE, USERS[1]!.search],
      ['carol', 'schedule', SEARCH_QUEUE, USERS[2]!.search],
    ])

    // The same fan-out job run again (as after a failed attempt): every run is there already.
    await conveyor.retry(fanOut.id)
    const again = await waitForStatus(conveyor, fanOut.id, ['completed', 'failed'])
    expect(again.result).toEqual({ users: 3, enqueued: 0, alreadyThere: 3, rateLimited: [] })
    expect((await conveyor.stats({ type: SEARCH })).pending).toBe(3)
  })

  it('a second device of the same user sees the active run and its context, cancels it and re-runs it', async () => {
    const { example } = await start()
    const onPhone = await example.clientFor('alice')
    const onLaptop = await example.clientFor('alice')
    const bob = await example.clientFor('bob')

    const run = await startSearch(onPhone, { jobTitle: 'engineer', location: 'York' }, phone)
    expect(run).toMatchObject({ source: 'manual', owner: 'alice', queue: SEARCH_QUEUE, status: 'pending', metadata: { clientContext: phone } })

    const seen = await activeRun(onLaptop)
    expect(seen).toMatchObject({ id: run.id, payload: { jobTitle: 'engineer', location: 'York' }, metadata: { clientContext: phone } })
    expect(seen!.createdAt).toBe(run.createdAt) // the elapsed time counts from here on every device
    expect(await activeRun(bob)).toBeNull()

    await onLaptop.cancel(run.id)
    expect((await onPhone.getJob(run.id)).job.status).toBe('cancelled')
    expect(await activeRun(onPhone)).toBeNull()
    await expect(bob.cancel(run.id)).rejects.toMatchObject({ status: 404 })

    const again = await rerun(onLaptop, (await onLaptop.getJob(run.id)).job, laptop)
    expect(again.id).not.toBe(run.id)
    expect(again).toMatchObject({ source: 'manual', status: 'pending', payload: run.payload, metadata: { clientContext: laptop } })
    expect((await activeRun(onPhone))?.id).toBe(again.id)
    const { jobs } = await onPhone.listJobs({ type: SEARCH })
    expect(jobs.map((j) => [j.id, j.status])).toEqual([
      [again.id, 'pending'],
      [run.id, 'cancelled'],
    ])
  })

  it.skipIf(!python)(
    python ? 'the Python worker runs every user’s search; one user’s runs run one at a time; the other device sees the result' : 'skipped: python3 is not on the PATH',
    async () => {
      const { conveyor, example } = await start()
      const onPhone = await example.clientFor('alice')
      const onLaptop = await example.clientFor('alice')
      await triggerSchedule(conveyor)
      const manual = await startSearch(onPhone, { jobTitle: 'engineer', location: 'Bath', resultsWanted: 4 }, phone)
      const finished = onLaptop.waitForJob(manual.id)

      const { key } = await example.admin.createKey({ name: 'python', role: 'worker' })
      const worker = startPythonWorker(example.apiUrl, key, ['--once-idle', '--wait-ms', '300', '--concurrency', '4'], 'collect')
      cleanup(() => worker.stop())
      const { code, output } = await worker.exited
      expect(code, output).toBe(0)

      expect(await finished).toMatchObject({
        status: 'completed',
        progress: 100,
        result: { jobsFound: 12, sites: ['indeed', 'linkedin', 'glassdoor'], query: 'engineer in Bath' },
      })
      const runs = (await conveyor.listJobs({ type: SEARCH, sort: 'oldest' })).jobs
      // The fan-out enqueues the users' runs together, so their order among themselves is not defined.
      const byOwner = (a: unknown[], b: unknown[]) => `${a[1]}${a[0]}`.localeCompare(`${b[1]}${b[0]}`)
      expect(runs.map((r) => [r.owner, r.source, r.status, (r.result as { jobsFound: number }).jobsFound]).sort(byOwner)).toEqual([
        ['alice', 'manual', 'completed', 12],
        ['alice', 'schedule', 'completed', 15],
        ['bob', 'schedule', 'completed', 6],
        ['carol', 'schedule', 'completed', 7],
      ])
      expect(runs.map((r) => r.attempts)).toEqual([1, 1, 1, 1])
      // Fairness (one running search per user): Alice's second run started after her first ended.
      const [first, second] = runs.filter((r) => r.owner === 'alice').sort((a, b) => a.startedAt!.getTime() - b.startedAt!.getTime())
      expect(second!.startedAt!.getTime()).toBeGreaterThanOrEqual(first!.completedAt!.getTime())
      const seen = (await onLaptop.getJob(manual.id)).job as SearchRun
      expect(seen.metadata?.clientContext).toEqual(phone)
    },
  )
})
