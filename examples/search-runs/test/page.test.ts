import { createClient } from '@conveyor/client'
import { describe, expect, it } from 'vitest'
import { cleanup, openConveyor } from '../../../packages/client/test/helpers.ts'
import { waitForAttribute } from '../../../packages/dashboard/test/browser.ts'
import { assertClean, device, hasChromium, NO_CHROMIUM_REASON, openSignedIn } from '../../app-kit/testing.ts'
import { startSearchRuns } from '../src/app.ts'
import { SEARCH, SEARCH_QUEUE } from '../src/settings.ts'

describe.skipIf(!hasChromium)(hasChromium ? 'the search-runs page in Chromium' : `the search-runs page — skipped: ${NO_CHROMIUM_REASON}`, () => {
  it('a search started on the phone shows on the laptop with its elapsed time, then its result; re-run and cancel from either', async () => {
    const conveyor = await openConveyor()
    const example = await startSearchRuns(conveyor, { apiPort: 0, appPort: 0, users: () => [] })
    cleanup(() => example.close())
    // The search worker, played by the test over the HTTP worker routes (what worker.py does).
    const { key } = await example.admin.createKey({ name: 'worker', role: 'worker' })
    const worker = createClient({ baseUrl: example.apiUrl, key })

    const phoneContext = await device({ userAgent: 'Mozilla/5.0 (iPhone) Test' })
    const laptopContext = await device()
    cleanup(() => Promise.all([phoneContext.close(), laptopContext.close()]))
    const phone = await openSignedIn(phoneContext, example.appUrl, 'alice')
    const laptop = await openSignedIn(laptopContext, example.appUrl, 'alice')
    await phone.fill('input.device', 'my phone')
    await laptop.fill('input.device', 'laptop')
    await laptop.waitForSelector('.current-run >> text=No search running')

    await phone.fill('input[name=jobTitle]', 'engineer')
    await phone.fill('input[name=location]', 'York')
    await phone.click('form button[type=submit]')

    await laptop.waitForSelector('.current-run[data-status=pending]')
    expect(await laptop.textContent('.current-run')).toMatch(/engineer in York.*pending.*started on my phone/)
    const { jobs } = await worker.claim({ workerId: 'test-worker', queues: [SEARCH_QUEUE], types: [SEARCH] })
    const run = jobs[0]!
    expect(await laptop.getAttribute('.current-run', 'data-run')).toBe(run.id)
    await worker.progress(run.id, { workerId: 'test-worker', progress: 40, message: 'searching indeed' })

    await waitForAttribute(laptop, '.current-run [role=progressbar]', 'aria-valuenow', '40')
    expect(await laptop.textContent('.current-run')).toContain('searching indeed')
    // The timer counts from when the run started, the same on every device.
    expect(await laptop.getAttribute('.current-run time', 'datetime')).toBe(run.startedAt)

    await worker.complete(run.id, { workerId: 'test-worker', result: { jobsFound: 9, sites: ['indeed'], query: 'engineer in York' } })
    await laptop.waitForSelector('.current-run[data-status=completed]')
    expect(await laptop.textContent('.current-run .result')).toContain('Found 9 jobs on indeed')
    await phone.waitForSelector(`tr[data-run="${run.id}"] >> text=completed`)

    // Re-run from the laptop's history: a new run, shown as current on the phone; cancelled from the phone.
    await laptop.click(`tr[data-run="${run.id}"] button[name=rerun]`)
    await phone.waitForSelector('.current-run[data-status=pending] >> text=started on laptop')
    const again = await phone.getAttribute('.current-run', 'data-run')
    expect(again).not.toBe(run.id)
    // The laptop follows the new run too before it is cancelled: a run cancelled before the laptop's
    // list re-read saw it pending is never its current run (a race CI once lost on a loaded machine).
    await laptop.waitForSelector(`.current-run[data-run="${again}"][data-status=pending]`)
    await phone.click(`tr[data-run="${again}"] button[name=cancel]`)
    await laptop.waitForSelector(`.current-run[data-run="${again}"][data-status=cancelled]`)
    expect((await conveyor.getJob(again!))?.payload).toEqual({ jobTitle: 'engineer', location: 'York' })
    assertClean(phone)
    assertClean(laptop)
  })
})
