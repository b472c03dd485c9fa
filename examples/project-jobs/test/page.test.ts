import { describe, expect, it } from 'vitest'
import { cleanup, openConveyor } from '../../../packages/client/test/helpers.ts'
import { assertClean, device, hasChromium, NO_CHROMIUM_REASON, openSignedIn } from '../../app-kit/testing.ts'
import { startProjectJobs } from '../src/app.ts'
import { ProjectStore } from '../src/project-store.ts'

describe.skipIf(!hasChromium)(hasChromium ? 'the project-jobs page in Chromium' : `the project-jobs page — skipped: ${NO_CHROMIUM_REASON}`, () => {
  it('starts jobs of a project, shows their counts and rows live, filters by status, and retries a failed validation', async () => {
    const conveyor = await openConveyor()
    const example = await startProjectJobs(conveyor, { apiPort: 0, appPort: 0, store: new ProjectStore(), stepMs: 5 })
    cleanup(() => example.close())
    const context = await device()
    cleanup(() => context.close())
    const page = await openSignedIn(context, `${example.appUrl}/?project=gemini`, 'acme')
    const stat = (name: string) => page.textContent(`[data-stat=${name}] .stat-n`)
    const waitForStat = (name: string, value: string) =>
      page.waitForFunction(([n, v]) => document.querySelector(`[data-stat=${n}] .stat-n`)?.textContent === v, [name, value] as const)

    await page.click('text=Import 100 with errors')
    await waitForStat('completed', '1')
    await page.click('button:text-is("Validate")')
    await waitForStat('failed', '1')
    expect(await stat('total')).toBe('2')
    const failed = page.locator('tr[data-status=failed]')
    expect(await failed.textContent()).toMatch(/Validation.*failed.*14 of 100 records are invalid: record 4 \("person4-at-example.com"\)/)

    // The status filter, in the URL.
    await page.selectOption('select[name=status]', 'failed')
    await page.waitForFunction(() => document.querySelectorAll('tbody tr').length === 1)
    expect(new URL(page.url()).searchParams.get('status')).toBe('failed')

    // Fix the data, then retry the failed validation: it completes.
    await page.click('text=Import 250 records')
    await waitForStat('completed', '2')
    await failed.locator('button[name=retry]').click()
    await waitForStat('failed', '0')
    await waitForStat('completed', '3')
    await page.selectOption('select[name=status]', '')
    await page.waitForSelector('tr[data-status=completed] >> text={"checked":250,"invalid":0}')

    // Another project of the team has none of these.
    await page.selectOption('select[name=project]', 'apollo')
    await waitForStat('total', '0')
    expect(await page.textContent('section.card')).toContain('No jobs yet.')
    assertClean(page)
  })
})
