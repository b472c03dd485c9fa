import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import type { BrowserContext } from 'playwright-core'
import { describe, expect, it } from 'vitest'
import { waitForStatus } from '../../core/test/helpers.ts'
import {
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

if (!hasChromium) console.warn(`dashboard browser tests of schedules, metrics, errors, alerts and audit skipped: ${NO_CHROMIUM_REASON}`)

/** `2026-03-30 09:00:00` for an instant in an IANA zone (what the page shows, before the zone's short name). */
function wallClock(iso: string, timeZone: string): string {
  const f = new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit', hourCycle: 'h23' })
  const p = Object.fromEntries(f.formatToParts(new Date(iso)).map((x) => [x.type, x.value]))
  return `${p.year}-${p.month}-${p.day} ${p.hour}:${p.minute}:${p.second}`
}

/** A webhook receiver on a free port that keeps what it is sent and lets a test await the next body. */
async function webhookReceiver() {
  const bodies: Record<string, unknown>[] = []
  const waiting: { match: (b: Record<string, unknown>) => boolean; resolve: (b: Record<string, unknown>) => void }[] = []
  const server: Server = createServer((req, res) => {
    let text = ''
    req.on('data', (c: Buffer) => (text += c.toString()))
    req.on('end', () => {
      const body = JSON.parse(text) as Record<string, unknown>
      bodies.push(body)
      for (const w of waiting.splice(0)) (w.match(body) ? w.resolve(body) : waiting.push(w))
      res.writeHead(204).end()
    })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`,
    /** Resolves with the first body (already received or still to come) that matches. */
    next: (match: (b: Record<string, unknown>) => boolean) =>
      new Promise<Record<string, unknown>>((resolve) => {
        const seen = bodies.find(match)
        if (seen) resolve(seen)
        else waiting.push({ match, resolve })
      }),
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  }
}

describe.skipIf(!hasChromium)('schedules, metrics, errors, alerts and audit in Chromium', () => {
  const chromium = chromiumPerFile()
  let context: BrowserContext

  it("shows a schedule in words with its next runs in its zone and the viewer's, and run now enqueues a job that links back", async () => {
    const d = await startDashboard()
    const created = await d.call('POST', '/api/schedules', admin, { name: 'morning-search', cron: '0 9 * * 1-5', timezone: 'Europe/London', type: 'search', payload: { q: 'jobs' } })
    expect(created.status).toBe(201)
    const schedule = created.body.schedule as { id: string; nextRuns: string[] }
    expect(schedule.nextRuns).toHaveLength(5)

    context = await chromium.context({ timezoneId: 'America/New_York' })
    await signIn(context, d.url)
    const page = await context.newPage()
    await page.goto(`${d.url}/schedules`)
    const row = page.getByTestId('schedule-row-morning-search')
    await row.getByTestId('schedule-words').filter({ hasText: 'Every weekday at 09:00, Europe/London' }).waitFor()

    await row.getByRole('link', { name: 'morning-search' }).click()
    await page.getByTestId('schedule-name').waitFor()
    await page.getByTestId('schedule-words').filter({ hasText: 'Every weekday at 09:00, Europe/London' }).waitFor()
    await page.locator('[data-testid=next-runs] td[data-zone=schedule]').nth(4).waitFor()
    const cells = (zone: 'schedule' | 'viewer') => page.locator(`[data-testid=next-runs] td[data-zone=${zone}]`).allTextContents()
    const inLondon = await cells('schedule')
    expect(inLondon).toHaveLength(5)
    inLondon.forEach((text, i) => {
      expect(text).toContain(wallClock(schedule.nextRuns[i]!, 'Europe/London'))
      expect(text).toContain('09:00:00')
    })
    expect(await page.locator('[data-testid=next-runs] th').first().textContent()).toBe('in Europe/London')
    expect((await cells('viewer')).map((t, i) => t.includes(wallClock(schedule.nextRuns[i]!, 'America/New_York')))).toEqual([true, true, true, true, true])

    await page.getByRole('group', { name: 'schedule actions' }).getByRole('button', { name: 'Run now' }).click()
    const jobLink = page.getByRole('status').getByRole('link', { name: /^job / })
    await jobLink.waitFor()
    const jobId = (await jobLink.textContent())!.replace('job ', '')
    expect(await d.conveyor.getJob(jobId)).toMatchObject({ type: 'search', source: 'schedule', status: 'pending', payload: { q: 'jobs' }, metadata: { scheduleId: schedule.id } })
    await page.locator(`[data-testid=recent-runs] tr[data-job-id="${jobId}"]`).getByText('▸ run now').waitFor()
    await page.screenshot({ path: screenshotPath('schedule-light'), fullPage: true })

    // The viewer's column follows the dashboard's local / UTC switch.
    await page.getByLabel('Time zone').selectOption('UTC')
    await page.getByRole('columnheader', { name: 'your time (UTC)' }).waitFor()
    const utc = (iso: string) => `${iso.slice(0, 10)} ${iso.slice(11, 19)} UTC`
    expect((await cells('viewer')).map((t, i) => t.includes(utc(schedule.nextRuns[i]!)))).toEqual([true, true, true, true, true])

    // The job made by the schedule links back to it.
    await page.locator(`[data-testid=recent-runs] tr[data-job-id="${jobId}"]`).getByRole('link').click()
    await page.getByTestId('job-schedule').filter({ hasText: 'morning-search' }).click()
    await page.waitForURL(`${d.url}/schedules/${schedule.id}`)
    await page.getByTestId('schedule-name').filter({ hasText: 'morning-search' }).waitFor()

    // Disable, then edit: cron and zone change, and the words with them.
    await page.getByRole('button', { name: 'Disable' }).click()
    await page.getByText('None: the schedule is disabled.').waitFor()
    await page.getByRole('button', { name: 'Edit' }).click()
    const form = page.getByRole('form', { name: 'schedule' })
    await form.getByLabel('Cron *').fill('30 7 * * *')
    await form.getByLabel('Time zone').fill('America/New_York')
    await form.getByLabel('Overlap').selectOption('skip')
    await form.getByLabel('Enabled').check()
    await form.getByTestId('cron-preview').filter({ hasText: 'Every day at 07:30, America/New_York' }).waitFor()
    await form.getByRole('button', { name: 'Save' }).click()
    await page.getByTestId('schedule-words').filter({ hasText: 'Every day at 07:30, America/New_York' }).waitFor()
    expect((await d.call('GET', `/api/schedules/${schedule.id}`)).body.schedule).toMatchObject({
      cron: '30 7 * * *',
      timezone: 'America/New_York',
      overlap: 'skip',
      enabled: true,
      type: 'search',
      payload: { q: 'jobs' },
    })
    assertClean(page)
  })

  it('changes the window through the URL and shows the counts the metrics API gives', async () => {
    const d = await startDashboard()
    await enqueueFailed(d, [{ type: 'resize' }, { type: 'resize' }], 'image too large')
    const worker = d.conveyor.work({ resize: async () => ({ ok: true }), thumb: async () => ({ ok: true }) })
    try {
      const done = await d.conveyor.enqueueMany([{ type: 'resize' }, { type: 'thumb' }, { type: 'thumb' }, { type: 'thumb' }])
      for (const j of done) await waitForStatus(d.conveyor, j.id, ['completed'])
    } finally {
      await worker.stop()
    }
    await d.conveyor.enqueueMany([{ type: 'later', queue: 'slow' }, { type: 'later', queue: 'slow' }])
    await d.conveyor.rollup.runOnce()

    context = await chromium.context()
    await signIn(context, d.url)
    const page = await context.newPage()
    await page.goto(`${d.url}/stats`)
    await waitForAttribute(page, '[data-testid=metrics]', 'data-window', '1h')
    await page.getByRole('group', { name: 'window' }).getByRole('button', { name: '24h' }).click()
    await page.waitForURL(/\/stats\?window=24h$/)
    await waitForAttribute(page, '[data-testid=metrics]', 'data-window', '24h')

    const api = (await d.call('GET', '/api/metrics/summary?window=24h')).body.summary
    expect(api.totals).toMatchObject({ enqueued: 8, completed: 4, failed: 2 })
    const shown = async (id: string) => Number(await page.getByTestId(`metric-${id}`).getAttribute('data-count'))
    for (const k of ['enqueued', 'completed', 'failed', 'cancelled'] as const) expect(await shown(k), k).toBe(api.totals[k])
    expect(await page.getByTestId('metric-success-rate').textContent()).toContain(`${(100 * api.successRate).toFixed(1)}%`)
    const thumb = api.byType.find((t: { type: string }) => t.type === 'thumb')
    expect(await page.getByTestId('type-thumb').locator('td').nth(1).textContent()).toBe(String(thumb.completed))
    expect(await page.getByTestId('depth-slow').getAttribute('data-depth')).toBe('2')

    // The window in the URL is the one shown on a fresh load.
    await page.goto(`${d.url}/stats?window=7d`)
    await waitForAttribute(page, '[data-testid=metrics]', 'data-window', '7d')
    expect(await page.getByRole('button', { name: '7d', pressed: true }).count()).toBe(1)
    await page.screenshot({ path: screenshotPath('metrics-light'), fullPage: true })
    assertClean(page)
  })

  it("retries every job of one error group, after confirming, and leaves the other groups' jobs failed", async () => {
    const d = await startDashboard()
    const slow = [
      ...(await enqueueFailed(d, [{ type: 'fetch' }, { type: 'fetch' }], 'timeout after 500 ms')),
      ...(await enqueueFailed(d, [{ type: 'fetch' }], 'timeout after 800 ms')),
    ]
    const [other] = await enqueueFailed(d, [{ type: 'store' }], 'disk full')

    context = await chromium.context()
    await signIn(context, d.url)
    const page = await context.newPage()
    await page.goto(`${d.url}/errors`)
    const group = page.getByTestId('error-group').filter({ hasText: 'timeout after <n> ms' })
    await group.waitFor()
    expect(await group.getAttribute('data-count')).toBe('3')
    expect(await page.getByTestId('error-group').count()).toBe(2)
    await page.screenshot({ path: screenshotPath('errors-light'), fullPage: true })

    // Its list of failed jobs holds exactly the group's.
    await group.getByRole('link', { name: 'failed jobs' }).click()
    await waitForAttribute(page, '[data-testid=match-count]', 'data-count', '3')
    await page.goBack()

    await group.getByRole('button', { name: 'Retry all' }).click()
    const dialog = page.getByRole('dialog')
    await dialog.getByRole('heading', { name: 'Retry 3 jobs?' }).waitFor()
    await dialog.getByRole('button', { name: 'Retry 3' }).click()
    await page.getByRole('status').filter({ hasText: 'Retried 3 jobs' }).waitFor()
    for (const j of slow) expect((await d.conveyor.getJob(j.id))?.status).toBe('pending')
    expect((await d.conveyor.getJob(other!.id))?.status).toBe('failed')
    await page.getByTestId('error-group').filter({ hasText: 'disk full' }).waitFor()
    assertClean(page)
  })

  it('creates, tests and edits an alert rule, and shows it firing and resolving in the history', async () => {
    const d = await startDashboard()
    const hook = await webhookReceiver()
    try {
      context = await chromium.context()
      await signIn(context, d.url)
      const page = await context.newPage()
      await page.goto(`${d.url}/alerts`)
      await page.getByRole('button', { name: 'New rule' }).click()
      const form = page.getByRole('form', { name: 'New alert rule' })
      await form.getByLabel('Name *').fill('deep queue')
      await form.getByLabel('Condition').selectOption('queue_depth')
      await form.getByLabel('Ready jobs above').fill('2')
      await form.getByLabel('Queue', { exact: true }).fill('imports')
      await form.getByLabel('Webhook URL').fill(hook.url)
      await form.getByLabel('Message format').selectOption('slack')
      await form.getByTestId('rule-preview').filter({ hasText: 'more than 2 ready jobs in a queue (queue imports)' }).waitFor()
      await form.getByRole('button', { name: 'Create rule' }).click()
      const row = page.getByTestId('rule-deep queue')
      await row.getByText('more than 2 ready jobs in a queue (queue imports)').waitFor()
      const [rule] = (await d.call('GET', '/api/alerts/rules')).body.rules
      expect(rule).toMatchObject({ name: 'deep queue', kind: 'queue_depth', threshold: 2, queue: 'imports', webhookUrl: hook.url, format: 'slack', enabled: true })

      await row.getByRole('button', { name: 'Test' }).click()
      await page.getByTestId('test-result').filter({ hasText: 'took the test message' }).waitFor()
      expect(String((await hook.next((b) => String(b.text).includes('TEST'))).text)).toContain('deep queue')

      await row.getByRole('button', { name: 'Edit' }).click()
      await page.getByRole('form', { name: 'Edit deep queue' }).getByLabel('Ready jobs above').fill('1')
      await page.getByRole('button', { name: 'Save' }).click()
      await row.getByText('more than 1 ready jobs in a queue (queue imports)').waitFor()

      const jobs = await d.conveyor.enqueueMany([{ type: 'import', queue: 'imports' }, { type: 'import', queue: 'imports' }])
      expect(await d.conveyor.alertEvaluator.runOnce()).toEqual([{ rule: 'deep queue', state: 'firing' }])
      await hook.next((b) => String(b.text).includes('FIRING'))
      await page.reload()
      await row.getByText(/firing since/).waitFor()

      for (const j of jobs) await d.conveyor.cancel(j.id)
      expect(await d.conveyor.alertEvaluator.runOnce()).toEqual([{ rule: 'deep queue', state: 'resolved' }])
      await page.getByRole('link', { name: 'History' }).click()
      const event = page.locator('[data-testid=alert-event][data-rule="deep queue"]')
      await event.filter({ hasText: '✓ resolved' }).waitFor()
      await event.getByText('queue imports has 2 jobs ready to run (limit 1)').waitFor()
      await event.getByText(/✓ sent/).waitFor()
      await page.screenshot({ path: screenshotPath('alerts-history-light'), fullPage: true })

      await page.getByRole('link', { name: 'Rules' }).click()
      await row.getByRole('button', { name: 'Delete' }).click()
      await page.getByRole('dialog').getByRole('button', { name: 'Delete rule' }).click()
      await row.waitFor({ state: 'detached' })
      expect((await d.call('GET', '/api/alerts/rules')).body.rules).toEqual([])
      assertClean(page)
    } finally {
      await hook.close()
    }
  })

  it('lists an action done in the dashboard in the audit log, a page at a time; a viewer reads every page and has no buttons', async () => {
    const d = await startDashboard()
    // 55 entries before the one done in the browser: more than one page of 50.
    for (let i = 0; i < 55; i++) expect((await d.call('POST', '/api/jobs', admin, { type: 'filler', payload: { i } })).status).toBe(201)
    const [job] = await enqueueFailed(d, [{ type: 'retry-me' }])

    context = await chromium.context()
    await signIn(context, d.url)
    const page = await context.newPage()
    await page.goto(`${d.url}/jobs/${job!.id}`)
    await page.getByRole('group', { name: 'job actions' }).getByRole('button', { name: 'Retry' }).click()
    await page.locator('header [data-status=pending]').waitFor()

    await page.goto(`${d.url}/audit`)
    const first = page.getByTestId('audit-entry').first()
    await waitForAttribute(page, '[data-testid=audit-entry]', 'data-action', 'job.retry')
    expect(await first.getAttribute('data-target')).toBe(job!.id)
    expect(await first.locator('td').nth(1).textContent()).toContain('dashboard · admin')
    expect(await page.getByTestId('audit-entry').count()).toBe(50)
    await page.screenshot({ path: screenshotPath('audit-light') })
    await page.getByRole('button', { name: 'Older →' }).click()
    await page.waitForURL(/\/audit\?before=/)
    await page.getByText('page 2').waitFor()
    await page.waitForFunction(() => document.querySelectorAll('[data-testid=audit-entry]').length === 6)
    await page.getByRole('button', { name: '← Newer' }).click()
    await waitForAttribute(page, '[data-testid=audit-entry]', 'data-action', 'job.retry')
    await first.getByRole('link', { name: job!.id }).click()
    await page.waitForURL(`${d.url}/jobs/${job!.id}`)
    assertClean(page)

    // A viewer: the same pages, read only.
    const created = await d.call('POST', '/api/schedules', admin, { name: 'nightly', cron: '0 2 * * *', type: 'report' })
    await enqueueFailed(d, [{ type: 'seen' }])
    await d.call('POST', '/api/alerts/rules', admin, { name: 'failing', kind: 'failure_rate', threshold: 0.5 })
    const viewerKey = (await d.keyFor('viewer')).authorization!.slice('Bearer '.length)
    const viewer = await chromium.context()
    try {
      await signIn(viewer, d.url, viewerKey)
      const v = await viewer.newPage()
      const mutating = /^(Run now|Enable|Disable|Edit|Delete|New |Retry|Test|Save|Create)/
      for (const [path, ready] of [
        ['/schedules', '[data-testid="schedule-row-nightly"]'],
        [`/schedules/${created.body.schedule.id}`, '[data-testid=next-runs]'],
        ['/stats', '[data-testid=metrics]'],
        ['/errors', '[data-testid=error-group]'],
        ['/alerts', '[data-testid="rule-failing"]'],
        ['/alerts/history', '[data-testid=alert-history]'],
        ['/audit', '[data-testid=audit-entry]'],
      ] as const) {
        await v.goto(`${d.url}${path}`)
        await v.locator(ready).first().waitFor()
        expect(await v.getByRole('button', { name: mutating }).count(), path).toBe(0)
        expect(await v.getByRole('link', { name: 'New schedule' }).count(), path).toBe(0)
      }
      assertClean(v)
    } finally {
      await viewer.close()
    }
  })
})
