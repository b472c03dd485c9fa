import { readFile } from 'node:fs/promises'
import { describe, expect, it } from 'vitest'
import { cleanup, openConveyor } from '../../../packages/client/test/helpers.ts'
import { assertClean, device, hasChromium, NO_CHROMIUM_REASON, openSignedIn, requestsTo } from '../../app-kit/testing.ts'
import { startFileAnalysis } from '../src/app.ts'
import { RESULT_FILE } from '../src/settings.ts'
import { CITIES_CSV, CITIES_STATS } from './fixtures.ts'

describe.skipIf(!hasChromium)(hasChromium ? 'the file-analysis page in Chromium' : `the file-analysis page — skipped: ${NO_CHROMIUM_REASON}`, () => {
  it('uploads a CSV, follows the analysis over the event stream, shows the statistics and downloads the result file', async () => {
    const conveyor = await openConveyor()
    const example = await startFileAnalysis(conveyor, { apiPort: 0, appPort: 0 })
    cleanup(() => example.close())
    const context = await device({ acceptDownloads: true })
    cleanup(() => context.close())

    const page = await openSignedIn(context, example.appUrl, 'alice')
    const api = requestsTo(page, example.apiUrl)
    await page.setInputFiles('input[type=file]', { name: 'cities.csv', mimeType: 'text/csv', buffer: Buffer.from(CITIES_CSV) })
    await page.click('form button[type=submit]')

    await page.waitForSelector('.analysis[data-status=completed]')
    const cells = await page.$$eval('.analysis tbody tr', (rows) => rows.map((r) => [...r.querySelectorAll('td')].map((td) => td.textContent)))
    expect(cells[1]).toEqual(['population', 'numeric', '5', '0', '100', '8900000', '2144020', ''])
    expect(cells[2]).toEqual(['area', 'numeric', '4', '1', '272', '1572', '737.125', ''])
    // The page learnt of the job's progress from the event stream of this job.
    expect(api.some((u) => u.startsWith('/api/events?') && u.includes('ids='))).toBe(true)

    const [download] = await Promise.all([page.waitForEvent('download'), page.click('button[name=download]')])
    expect(download.suggestedFilename()).toBe(RESULT_FILE)
    expect(await readFile((await download.path())!, 'utf8')).toBe(CITIES_STATS)
    // The recent list links the analysis; nothing broke the page's content security policy.
    expect(await page.textContent('section.card:last-of-type')).toContain('cities.csv')
    assertClean(page)
  })
})
