import { readFile } from 'node:fs/promises'
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import type { BrowserContext } from 'playwright-core'
import { describe, expect, it } from 'vitest'
import { waitForStatus } from '../../core/test/helpers.ts'
import {
  ADMIN_KEY,
  admin,
  assertClean,
  enqueueFailed,
  hasChromium,
  NO_CHROMIUM_REASON,
  screenshotPath,
  signIn,
  startDashboard,
  waitForAttribute,
  chromiumPerFile,
} from './browser.ts'

if (!hasChromium) console.warn(`dashboard browser tests skipped: ${NO_CHROMIUM_REASON}`)

/** A promise resolved from outside: lets a handler wait until the test says go. */
function gate() {
  let open!: () => void
  const opened = new Promise<void>((r) => (open = r))
  return { open, opened }
}

describe.skipIf(!hasChromium)('the dashboard in Chromium', () => {
  const chromium = chromiumPerFile()
  let context: BrowserContext

  it('shows only the sign-in form until a valid key is given; the session is an httpOnly cookie', async () => {
    const d = await startDashboard()
    context = await chromium.context()
    const page = await context.newPage()
    const res = await page.goto(`${d.url}/jobs?status=failed`)
    expect(res?.headers()['content-security-policy']).toContain("script-src 'self'")
    await page.getByLabel('API key').waitFor()
    expect(await page.getByRole('heading', { name: 'Jobs' }).count()).toBe(0)
    expect(await page.getByTestId('jobs-table').count()).toBe(0)

    await page.getByLabel('API key').fill('not-a-key-0123456789')
    await page.getByRole('button', { name: 'Sign in' }).click()
    await page.getByRole('alert').filter({ hasText: 'unknown or revoked API key' }).waitFor()

    await page.getByLabel('API key').fill(ADMIN_KEY)
    await page.getByRole('button', { name: 'Sign in' }).click()
    await page.getByTestId('jobs-table').waitFor()
    expect(await page.getByTestId('signed-in-as').textContent()).toContain('admin')
    // The key never reaches script: the cookie is httpOnly.
    expect(await page.evaluate(() => document.cookie)).toBe('')
    const [cookie] = await context.cookies()
    expect(cookie).toMatchObject({ name: 'conveyor_session', httpOnly: true, sameSite: 'Strict' })
    expect(cookie!.value).not.toContain(ADMIN_KEY)

    await page.reload()
    await page.getByTestId('jobs-table').waitFor()
    await page.getByRole('button', { name: 'Sign out' }).click()
    await page.getByLabel('API key').waitFor()
    await page.reload()
    await page.getByLabel('API key').waitFor()
    assertClean(page)
  })

  it('shows the counts the API gives, each linking to its filtered list', async () => {
    const d = await startDashboard()
    const { conveyor } = d
    await enqueueFailed(d, [{ type: 'doomed' }, { type: 'doomed' }])
    const ready = await conveyor.enqueueMany([{ type: 'a' }, { type: 'a' }, { type: 'b' }])
    await conveyor.enqueue({ type: 'later', delayMs: 3_600_000 })
    await conveyor.cancel(ready[2]!.id)
    const api = (await d.call('GET', '/api/jobs/stats')).body.stats
    expect(api).toMatchObject({ pending: 3, scheduled: 1, failed: 2, cancelled: 1, total: 6 })

    context = await chromium.context()
    await signIn(context, d.url)
    const page = await context.newPage()
    await page.goto(d.url)
    await page.waitForFunction(() => document.querySelector('[data-testid=count-total]')?.getAttribute('data-count') !== '')
    const count = async (key: string) => Number(await page.getByTestId(`count-${key}`).getAttribute('data-count'))
    expect(await count('ready')).toBe(api.pending - api.scheduled)
    expect(await count('scheduled')).toBe(api.scheduled)
    for (const key of ['running', 'completed', 'failed', 'cancelled', 'total'] as const) expect(await count(key), key).toBe(api[key])

    await page.getByTestId('count-failed').click()
    await page.waitForURL(/\/jobs\?status=failed$/)
    await waitForAttribute(page, '[data-testid=match-count]', 'data-count', '2')
    const statuses = await page.locator('tbody tr[data-status]').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-status')))
    expect(statuses).toEqual(['failed', 'failed'])
    assertClean(page)
  })

  it('filters by status through the URL, and writes the filters it is given back to the URL', async () => {
    const d = await startDashboard()
    await enqueueFailed(d, [{ type: 'a' }])
    const jobs = await d.conveyor.enqueueMany([{ type: 'b' }, { type: 'c' }, { type: 'd' }])
    await d.conveyor.cancel(jobs[0]!.id)

    context = await chromium.context()
    await signIn(context, d.url)
    const page = await context.newPage()
    await page.goto(`${d.url}/jobs?status=failed,cancelled`)
    await waitForAttribute(page, '[data-testid=match-count]', 'data-count', '2')
    const rows = () => page.locator('tbody tr[data-status]').evaluateAll((r) => r.map((e) => e.getAttribute('data-status')).sort())
    expect(await rows()).toEqual(['cancelled', 'failed'])
    expect(await page.getByRole('button', { name: 'failed', pressed: true }).count()).toBe(1)
    expect(await page.getByRole('button', { name: 'pending', pressed: false }).count()).toBe(1)

    await page.getByRole('button', { name: 'pending', pressed: false }).click()
    await page.waitForURL(/status=pending%2Cfailed%2Ccancelled$/)
    await waitForAttribute(page, '[data-testid=match-count]', 'data-count', '4')

    await page.getByLabel('Type', { exact: true }).fill('c')
    await page.waitForURL(/type=c/)
    await waitForAttribute(page, '[data-testid=match-count]', 'data-count', '1')
    assertClean(page)
  })

  it('retries a failed job from the list and another from its page', async () => {
    const d = await startDashboard()
    const [one, two] = await enqueueFailed(d, [{ type: 'first' }, { type: 'second' }])

    context = await chromium.context()
    await signIn(context, d.url)
    const page = await context.newPage()
    await page.goto(`${d.url}/jobs?status=failed`)
    const row = page.locator(`tr[data-job-id="${one!.id}"]`)
    await row.getByRole('button', { name: 'Retry' }).click()
    await waitForAttribute(page, `tr[data-job-id="${one!.id}"]`, 'data-status', 'pending')
    expect((await d.conveyor.getJob(one!.id))).toMatchObject({ status: 'pending', attempts: 0 })

    await page.goto(`${d.url}/jobs/${two!.id}`)
    await page.getByTestId('last-error').getByText('TestError: boom').waitFor()
    await page.getByRole('group', { name: 'job actions' }).getByRole('button', { name: 'Retry' }).click()
    await page.locator('header [data-status=pending]').waitFor()
    expect((await d.conveyor.getJob(two!.id))).toMatchObject({ status: 'pending', attempts: 0 })
    assertClean(page)
  })

  it('cancels a running job and shows the change without a reload, on its page and in the list', async () => {
    const d = await startDashboard()
    const hang = async (_job: unknown, ctx: { signal: AbortSignal }) =>
      new Promise((_resolve, reject) => ctx.signal.addEventListener('abort', () => reject(ctx.signal.reason), { once: true }))
    const worker = d.conveyor.work({ hang }, { concurrency: 2 })
    try {
      const [a, b] = await d.conveyor.enqueueMany([{ type: 'hang' }, { type: 'hang' }])
      await waitForStatus(d.conveyor, a!.id, ['running'])
      await waitForStatus(d.conveyor, b!.id, ['running'])

      context = await chromium.context()
      await signIn(context, d.url)
      const page = await context.newPage()
      await page.goto(`${d.url}/jobs/${a!.id}`)
      await page.locator('header [data-status=running]').waitFor()
      await page.evaluate(() => ((window as unknown as { marker: number }).marker = 1))
      await page.getByRole('group', { name: 'job actions' }).getByRole('button', { name: 'Cancel' }).click()
      await page.locator('header [data-status=cancelled]').waitFor()
      expect(await page.evaluate(() => (window as unknown as { marker?: number }).marker)).toBe(1)

      // In the list, a change made elsewhere arrives over the event stream.
      await page.goto(`${d.url}/jobs`)
      await waitForAttribute(page, `tr[data-job-id="${b!.id}"]`, 'data-status', 'running')
      await page.evaluate(() => ((window as unknown as { marker: number }).marker = 2))
      await d.conveyor.cancel(b!.id)
      await waitForAttribute(page, `tr[data-job-id="${b!.id}"]`, 'data-status', 'cancelled')
      expect(await page.evaluate(() => (window as unknown as { marker?: number }).marker)).toBe(2)
      expect((await d.conveyor.getJob(a!.id))?.status).toBe('cancelled')
      assertClean(page)
    } finally {
      await worker.stop()
    }
  })

  it('moves a progress bar as the worker reports progress', async () => {
    const d = await startDashboard()
    const step = gate()
    const finish = gate()
    const worker = d.conveyor.work({
      report: async (_job, ctx) => {
        await ctx.progress(10, 'started')
        await step.opened
        await ctx.progress(60, 'more than half')
        await finish.opened
        return { ok: true }
      },
    })
    try {
      const job = await d.conveyor.enqueue({ type: 'report' })
      context = await chromium.context()
      await signIn(context, d.url)
      const page = await context.newPage()
      await page.goto(`${d.url}/jobs`)
      const bar = `tr[data-job-id="${job!.id}"] [role=progressbar]`
      await waitForAttribute(page, bar, 'aria-valuenow', '10')
      step.open()
      await waitForAttribute(page, bar, 'aria-valuenow', '60')
      await page.locator(`tr[data-job-id="${job!.id}"]`).getByText('more than half').waitFor()

      await page.getByRole('link', { name: 'report' }).click()
      await waitForAttribute(page, '[aria-label=progress] [role=progressbar]', 'aria-valuenow', '60')
      finish.open()
      await waitForAttribute(page, '[aria-label=progress] [role=progressbar]', 'aria-valuenow', '100')
      await page.locator('header [data-status=completed]').waitFor()
      await page.getByLabel('Result').getByText('"ok"').waitFor()
      assertClean(page)
    } finally {
      finish.open()
      await worker.stop()
    }
  })

  it('retries all matching failed jobs in bulk, beyond the page shown, after confirming the count', async () => {
    const d = await startDashboard()
    await enqueueFailed(d, Array.from({ length: 60 }, (_, i) => ({ type: 'bulk', payload: { i } })))
    await d.conveyor.enqueue({ type: 'other' })

    context = await chromium.context()
    await signIn(context, d.url)
    const page = await context.newPage()
    await page.goto(`${d.url}/jobs?status=failed`)
    await waitForAttribute(page, '[data-testid=match-count]', 'data-count', '60')
    expect(await page.locator('tbody tr[data-status]').count()).toBe(50)
    await page.getByLabel('select every job on this page').check()
    await page.getByRole('button', { name: 'Select all 60 matching' }).click()
    expect(await page.getByTestId('selection-count').textContent()).toBe('60 selected')
    await page.getByRole('button', { name: 'Retry selected' }).click()
    const dialog = page.getByRole('dialog')
    await dialog.getByRole('heading', { name: 'Retry 60 jobs?' }).waitFor()
    await dialog.getByRole('button', { name: 'Retry 60' }).click()
    await page.getByRole('status').filter({ hasText: 'Retried 60 jobs.' }).waitFor()
    const stats = (await d.call('GET', '/api/jobs/stats')).body.stats
    expect(stats).toMatchObject({ failed: 0, pending: 61 })
    assertClean(page)
  })

  it('shows job data holding HTML as text and runs none of it', async () => {
    const d = await startDashboard()
    const name = '<img src=x onerror="alert(1)">'
    const html = '"><script>alert(2)</script>'
    const [job] = await enqueueFailed(
      d,
      [{ type: 'xss', name, owner: '<b onmouseover=alert(3)>owner</b>', payload: { html, img: '<img src=x onerror=alert(4)>' }, metadata: { note: '<svg onload=alert(5)>' } }],
      '<img src=x onerror=alert(6)>',
    )

    context = await chromium.context()
    await signIn(context, d.url)
    const page = await context.newPage()
    await page.goto(`${d.url}/jobs?q=xss`)
    await page.getByText(name, { exact: true }).waitFor()
    await page.getByText('<b onmouseover=alert(3)>owner</b>', { exact: true }).waitFor()
    await page.goto(`${d.url}/jobs/${job!.id}`)
    await page.getByTestId('job-name').getByText(name, { exact: true }).waitFor()
    await page.getByText(JSON.stringify(html), { exact: true }).waitFor()
    await page.getByTestId('last-error').getByText('TestError: <img src=x onerror=alert(6)>').waitFor()
    await page.getByLabel('Metadata').getByText('"<svg onload=alert(5)>"').waitFor()
    // Nothing became an element: no injected image, script or svg in the page.
    expect(await page.locator('img[src="x"], script:not([src]), b[onmouseover], svg[onload]').count()).toBe(0)
    assertClean(page)
  })

  it('gives a viewer every page to read and no button that changes anything', async () => {
    const d = await startDashboard()
    const jobs = await enqueueFailed(d, [{ type: 'seen' }])
    await d.conveyor.enqueue({ type: 'seen-too' })
    const viewerKey = (await d.keyFor('viewer')).authorization!.slice('Bearer '.length)

    context = await chromium.context()
    await signIn(context, d.url, viewerKey)
    const page = await context.newPage()
    await page.goto(`${d.url}/jobs`)
    await waitForAttribute(page, '[data-testid=match-count]', 'data-count', '2')
    expect(await page.getByTestId('signed-in-as').textContent()).toContain('viewer')
    const mutating = /^(Retry|Cancel|Delete|Pause|Resume|Enqueue|Run again|Retry selected)/
    expect(await page.getByRole('button', { name: mutating }).count()).toBe(0)
    expect(await page.getByRole('checkbox').count()).toBe(0)
    expect(await page.getByRole('link', { name: 'Enqueue' }).count()).toBe(0)

    await page.goto(`${d.url}/jobs/${jobs[0]!.id}`)
    await page.getByTestId('last-error').getByText('TestError: boom').waitFor()
    expect(await page.getByRole('group', { name: 'job actions' }).count()).toBe(0)
    expect(await page.getByRole('button', { name: mutating }).count()).toBe(0)
    expect(await page.getByRole('link', { name: /Run again/ }).count()).toBe(0)

    await page.goto(`${d.url}/queues`)
    await page.getByTestId('queue-row-default').waitFor()
    expect(await page.getByRole('button', { name: mutating }).count()).toBe(0)
    assertClean(page)
  })

  it('refuses a change sent with the session cookie from another origin', async () => {
    const d = await startDashboard()
    const [job] = await enqueueFailed(d, [{ type: 'target' }])
    context = await chromium.context()
    await signIn(context, d.url)

    // Another port of the same host: the same site (the SameSite=Strict cookie goes along), another origin.
    const target = `${d.url}/api/jobs/${job!.id}/retry`
    const other: Server = createServer((_req, res) => {
      res.setHeader('content-type', 'text/html')
      // The classic forgery: a form that posts itself to the API.
      res.end(`<!doctype html><form method="post" action="${target}"><input name="x" value="1"></form><script>document.forms[0].submit()</script>`)
    })
    await new Promise<void>((resolve) => other.listen(0, '127.0.0.1', resolve))
    try {
      const page = await context.newPage()
      const answer = page.waitForResponse(target)
      await page.goto(`http://127.0.0.1:${(other.address() as AddressInfo).port}/`)
      const res = await answer
      // 403, not 401: the cookie went along and opened the session, and the origin check refused the change.
      expect(res.status()).toBe(403)
      expect(await res.json()).toMatchObject({ error: { code: 'cross_site_request' } })
      expect((await d.conveyor.getJob(job!.id))?.status).toBe('failed')

      // The same request from the dashboard's own origin goes through.
      const own = await context.newPage()
      await own.goto(`${d.url}/jobs/${job!.id}`)
      const status = await own.evaluate(async (url) => (await fetch(url, { method: 'POST' })).status, target)
      expect(status).toBe(200)
    } finally {
      await new Promise<void>((resolve) => other.close(() => resolve()))
    }
  })

  it('counts new jobs in a banner instead of pushing rows down, and shows them on a click', async () => {
    const d = await startDashboard()
    await d.conveyor.enqueueMany([{ type: 'old' }, { type: 'old' }])
    context = await chromium.context()
    await signIn(context, d.url)
    const page = await context.newPage()
    await page.goto(`${d.url}/jobs`)
    await waitForAttribute(page, '[data-testid=match-count]', 'data-count', '2')
    await page.locator('[data-testid=live-state][data-state=open]').waitFor()
    await d.conveyor.enqueueMany([{ type: 'new' }, { type: 'new' }, { type: 'new' }])
    await page.getByTestId('new-jobs').filter({ hasText: '3 new jobs' }).waitFor()
    expect(await page.locator('tbody tr[data-status]').count()).toBe(2)
    await page.getByTestId('new-jobs').click()
    await waitForAttribute(page, '[data-testid=match-count]', 'data-count', '5')
    expect(await page.locator('tbody tr[data-status]').count()).toBe(5)
    expect(await page.getByTestId('new-jobs').count()).toBe(0)
    assertClean(page)
  })

  it('closes the event stream while the tab is hidden and catches up when it returns', async () => {
    const d = await startDashboard()
    const job = await d.conveyor.enqueue({ type: 'waiting' })
    context = await chromium.context()
    await signIn(context, d.url)
    const page = await context.newPage()
    await page.goto(`${d.url}/jobs`)
    await waitForAttribute(page, `tr[data-job-id="${job.id}"]`, 'data-status', 'pending')
    await page.locator('[data-testid=live-state][data-state=open]').waitFor()

    const streamClosed = page.waitForEvent('requestfailed', (r) => r.url().includes('/api/events'))
    const setHidden = (hidden: boolean) =>
      page.evaluate((h) => {
        Object.defineProperty(document, 'hidden', { configurable: true, get: () => h })
        Object.defineProperty(document, 'visibilityState', { configurable: true, get: () => (h ? 'hidden' : 'visible') })
        document.dispatchEvent(new Event('visibilitychange'))
      }, hidden)
    await setHidden(true)
    await streamClosed
    await page.locator('[data-testid=live-state][data-state=paused]').waitFor()
    await d.conveyor.cancel(job.id)

    const reopened = page.waitForRequest((r) => r.url().includes('/api/events'))
    await setHidden(false)
    await reopened
    await waitForAttribute(page, `tr[data-job-id="${job.id}"]`, 'data-status', 'cancelled')
    await page.locator('[data-testid=live-state][data-state=open]').waitFor()
    assertClean(page)
  })

  it('answers the keyboard: / searches, j and k move, r retries, ? lists the shortcuts, g q goes to queues', async () => {
    const d = await startDashboard()
    const [first, second] = await enqueueFailed(d, [{ type: 'k1' }, { type: 'k2' }])
    context = await chromium.context()
    await signIn(context, d.url)
    const page = await context.newPage()
    await page.goto(`${d.url}/jobs?sort=oldest`)
    await waitForAttribute(page, '[data-testid=match-count]', 'data-count', '2')

    await page.keyboard.press('/')
    expect(await page.evaluate(() => document.activeElement?.id)).toBe('job-search')
    await page.keyboard.press('Escape')
    await page.keyboard.press('j')
    await page.keyboard.press('j')
    await page.locator(`tr[data-job-id="${second!.id}"][data-focused]`).waitFor()
    await page.keyboard.press('k')
    await page.locator(`tr[data-job-id="${first!.id}"][data-focused]`).waitFor()
    await page.keyboard.press('r')
    await waitForAttribute(page, `tr[data-job-id="${first!.id}"]`, 'data-status', 'pending')
    expect((await d.conveyor.getJob(first!.id))?.status).toBe('pending')
    expect((await d.conveyor.getJob(second!.id))?.status).toBe('failed')

    await page.keyboard.press('?')
    await page.getByRole('dialog', { name: 'Keyboard shortcuts' }).waitFor()
    await page.keyboard.press('Escape')
    await page.getByRole('dialog').waitFor({ state: 'detached' })
    await page.keyboard.press('g')
    await page.keyboard.press('q')
    await page.waitForURL(/\/queues$/)
    assertClean(page)
  })

  it('exports the filtered set as CSV and JSON, every page of it', async () => {
    const d = await startDashboard()
    await enqueueFailed(d, Array.from({ length: 3 }, (_, i) => ({ type: 'export-me', name: i === 0 ? '=cmd|calc' : `row ${i}`, payload: { i } })))
    await d.conveyor.enqueue({ type: 'not-exported' })
    context = await chromium.context({ acceptDownloads: true })
    await signIn(context, d.url)
    const page = await context.newPage()
    await page.goto(`${d.url}/jobs?status=failed`)
    await waitForAttribute(page, '[data-testid=match-count]', 'data-count', '3')

    const csvDownload = page.waitForEvent('download')
    await page.getByRole('button', { name: 'Export CSV' }).click()
    const csv = await readFile((await (await csvDownload).path())!, 'utf8')
    const lines = csv.trimEnd().split('\r\n')
    expect(lines).toHaveLength(4)
    expect(lines[0]).toMatch(/^id,status,type,name,/)
    expect(lines.slice(1).every((l) => l.includes(',failed,export-me,'))).toBe(true)
    expect(csv).toContain(",'=cmd|calc,")

    const jsonDownload = page.waitForEvent('download')
    await page.getByRole('button', { name: 'Export JSON' }).click()
    const doc = JSON.parse(await readFile((await (await jsonDownload).path())!, 'utf8'))
    expect(doc).toMatchObject({ filter: { status: 'failed' }, count: 3 })
    expect(doc.jobs.map((j: { type: string }) => j.type)).toEqual(['export-me', 'export-me', 'export-me'])
    assertClean(page)
  })

  it("shows times in the viewer's own zone or in UTC, as chosen", async () => {
    const d = await startDashboard()
    const job = await d.conveyor.enqueue({ type: 'tz' })
    context = await chromium.context({ timezoneId: 'Asia/Tokyo' })
    await signIn(context, d.url)
    const page = await context.newPage()
    await page.goto(`${d.url}/jobs/${job.id}`)
    const created = page.locator(`time[datetime="${job.createdAt.toISOString()}"]`).first()
    await created.waitFor()
    const tokyo = new Date(job.createdAt.getTime() + 9 * 3600_000).toISOString().slice(11, 19)
    expect(await created.textContent()).toContain(`${tokyo} GMT+9`)
    await page.getByLabel('Time zone').selectOption('UTC')
    await page.getByText(`${job.createdAt.toISOString().slice(11, 19)} UTC`).first().waitFor()
    await page.reload()
    await page.getByText(`${job.createdAt.toISOString().slice(11, 19)} UTC`).first().waitFor()
    assertClean(page)
  })

  it('runs a job again with an edited payload, enqueues one by hand, and pauses and resumes a queue', async () => {
    const d = await startDashboard()
    const [original] = await enqueueFailed(d, [{ type: 'resize', queue: 'default', payload: { width: 100 }, priority: 3, metadata: { project: 'p1' } }])
    context = await chromium.context()
    await signIn(context, d.url)
    const page = await context.newPage()
    await page.goto(`${d.url}/jobs/${original!.id}`)
    await page.getByRole('link', { name: 'Run again with edited payload' }).click()
    const payload = page.getByLabel('Payload (JSON)')
    await page.waitForFunction(() => (document.querySelector('textarea') as HTMLTextAreaElement | null)?.value.includes('width'))
    expect(await page.getByLabel('Type (the handler) *').inputValue()).toBe('resize')
    await payload.fill('{ "width": 200 }')
    await page.getByRole('button', { name: 'Enqueue' }).click()
    await page.waitForURL((u) => /\/jobs\/[0-9a-f-]{36}$/.test(u.pathname) && !u.pathname.endsWith(original!.id))
    const copy = await d.conveyor.getJob(page.url().split('/').pop()!)
    expect(copy).toMatchObject({ type: 'resize', payload: { width: 200 }, priority: 3, metadata: { project: 'p1' }, status: 'pending' })
    expect((await d.conveyor.getJob(original!.id))).toMatchObject({ status: 'failed', payload: { width: 100 } })

    await page.goto(`${d.url}/enqueue`)
    await page.getByLabel('Type (the handler) *').fill('by-hand')
    await page.getByLabel('Queue').fill('manual')
    await payload.fill('{oops')
    await page.getByRole('button', { name: 'Enqueue' }).click()
    await page.getByText(/^not JSON/).waitFor()
    await payload.fill('{ "ok": true }')
    await page.getByRole('button', { name: 'Enqueue' }).click()
    await page.getByTestId('job-title').filter({ hasText: 'by-hand' }).waitFor()

    await page.goto(`${d.url}/queues`)
    const row = page.getByTestId('queue-row-manual')
    await row.getByRole('button', { name: 'Pause' }).click()
    await row.getByText('❚❚ paused').waitFor()
    expect((await d.call('GET', '/api/queues')).body.queues.find((q: { name: string }) => q.name === 'manual').paused).toBe(true)
    await row.getByRole('button', { name: 'Resume' }).click()
    await row.getByText('▶ active').waitFor()
    expect((await d.call('GET', '/api/queues')).body.queues.find((q: { name: string }) => q.name === 'manual').paused).toBe(false)
    assertClean(page)
  })

  it('looks right in dark mode and on a phone (screenshots)', async () => {
    const d = await startDashboard()
    const worker = d.conveyor.work({ ok: async () => ({ done: true }) })
    try {
      await enqueueFailed(d, [{ type: 'import', name: 'item 0', owner: 'user-0', payload: { i: 0 } }], 'the file has no header row')
      const jobs = await d.conveyor.enqueueMany(Array.from({ length: 11 }, (_, i) => ({ type: i % 3 ? 'ok' : 'import', name: `item ${i + 1}`, owner: `user-${(i + 1) % 4}`, payload: { i: i + 1 } })))
      for (const j of jobs.filter((j) => j.type === 'ok')) await waitForStatus(d.conveyor, j.id, ['completed'])
      await d.conveyor.rollup.runOnce()

      context = await chromium.context({ colorScheme: 'dark' })
      await signIn(context, d.url)
      const page = await context.newPage()
      await page.goto(`${d.url}/jobs`)
      await waitForAttribute(page, '[data-testid=match-count]', 'data-count', '12')
      expect(await page.evaluate(() => document.documentElement.classList.contains('dark'))).toBe(true)
      await page.screenshot({ path: screenshotPath('jobs-dark'), fullPage: true })
      await page.goto(d.url)
      await page.waitForFunction(() => document.querySelector('[data-testid=count-total]')?.getAttribute('data-count') === '12')
      await page.getByTestId('hour-totals').filter({ hasText: '7 completed · 1 failed' }).waitFor()
      await page.screenshot({ path: screenshotPath('overview-dark'), fullPage: true })
      await page.emulateMedia({ colorScheme: 'light' })
      await page.screenshot({ path: screenshotPath('overview-light'), fullPage: true })
      await page.emulateMedia({ colorScheme: 'dark' })

      const phone = await chromium.context({ viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true, storageState: await context.storageState() })
      try {
        const p = await phone.newPage()
        await p.goto(`${d.url}/jobs`)
        await waitForAttribute(p, '[data-testid=match-count]', 'data-count', '12')
        // Nothing but the table scrolls sideways: the page itself fits the phone.
        expect(await p.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390)
        await p.screenshot({ path: screenshotPath('jobs-phone'), fullPage: true })
        assertClean(p)
      } finally {
        await phone.close()
      }
      await page.goto(`${d.url}/jobs`)
      await page.emulateMedia({ colorScheme: 'light' })
      await page.screenshot({ path: screenshotPath('jobs-light'), fullPage: true })
      assertClean(page)
    } finally {
      await worker.stop()
    }
  })
})
