import { existsSync, mkdirSync, readdirSync, statSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import type { Conveyor, EnqueueInput, Job } from '@conveyor/core'
import { type Browser, type BrowserContext, chromium, type Page } from 'playwright-core'
import { afterAll, afterEach, beforeAll, expect } from 'vitest'
import { ADMIN_KEY, admin, startTestServer, type TestApp } from '../../server/test/helpers.ts'

export { ADMIN_KEY, admin }

/** Debian's chromium (installed by .ci/run); CHROMIUM_PATH overrides it. */
export const CHROMIUM = process.env.CHROMIUM_PATH || '/usr/bin/chromium'
export const hasChromium = existsSync(CHROMIUM)
export const NO_CHROMIUM_REASON = `no Chromium at ${CHROMIUM} (apt-get install -y chromium, or set CHROMIUM_PATH)`

const DASHBOARD = fileURLToPath(new URL('..', import.meta.url))
const ROOT = join(DASHBOARD, '..', '..')
/** What the built dashboard is made of: a change in any of it means dist is stale. */
const SOURCES = [
  join(DASHBOARD, 'src'),
  join(DASHBOARD, 'public'),
  join(DASHBOARD, 'index.html'),
  join(DASHBOARD, 'vite.config.ts'),
  join(ROOT, 'packages', 'client', 'src'),
  join(ROOT, 'packages', 'contracts', 'src'),
]

function newestMtime(path: string): number {
  if (!existsSync(path)) return 0
  const s = statSync(path)
  if (!s.isDirectory()) return s.mtimeMs
  return Math.max(0, ...readdirSync(path).map((name) => newestMtime(join(path, name))))
}

/** Builds the dashboard (Vite's build API) unless dist is newer than every source file. */
export async function ensureBuilt(): Promise<void> {
  const index = join(DASHBOARD, 'dist', 'index.html')
  const builtAt = existsSync(index) ? statSync(index).mtimeMs : 0
  if (builtAt > Math.max(...SOURCES.map(newestMtime))) return
  const { build } = await import('vite')
  await build({ configFile: join(DASHBOARD, 'vite.config.ts'), logLevel: 'warn' })
}

export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
  })
}

export interface Dashboard extends TestApp {
  url: string
}

/** A real server on a free port, serving the built dashboard, on a fresh schema (closed after the test). */
export async function startDashboard(conveyor?: Conveyor): Promise<Dashboard> {
  const { server, ...app } = await startTestServer({}, conveyor)
  return { ...app, url: server.url }
}

/** A browser context whose pages fail the test on an uncaught error or a dialog (alert() is how an injected script would show). */
export async function newContext(browser: Browser, options: Parameters<Browser['newContext']>[0] = {}): Promise<BrowserContext> {
  const context = await browser.newContext({ viewport: { width: 1400, height: 1000 }, ...options })
  context.setDefaultTimeout(15_000)
  context.on('page', (page) => watchPage(page))
  return context
}

/** Problems a page reported; checked by assertClean. */
const problems = new WeakMap<Page, string[]>()
function watchPage(page: Page) {
  const list: string[] = []
  problems.set(page, list)
  page.on('pageerror', (err) => list.push(`page error: ${err.message}`))
  page.on('dialog', (d) => {
    list.push(`dialog: ${d.message()}`)
    void d.dismiss()
  })
  page.on('console', (m) => {
    if (m.type() === 'error' && /Content Security Policy|Refused to/i.test(m.text())) list.push(`CSP: ${m.text()}`)
  })
}

/** The page raised no uncaught error, opened no dialog and broke no CSP rule. */
export function assertClean(page: Page): void {
  expect(problems.get(page) ?? []).toEqual([])
}

/** Signs the context in (as the sign-in form does): the session cookie goes into the context's jar. */
export async function signIn(context: BrowserContext, url: string, key: string = ADMIN_KEY): Promise<void> {
  const res = await context.request.post(`${url}/api/session`, { data: { key }, headers: { origin: url } })
  expect(res.status(), await res.text()).toBe(200)
}

/**
 * Enqueues jobs and fails them for good without a handler, through the HTTP worker routes (claim,
 * then fail with retryable: false). Call it before enqueueing other jobs of the same types: the claim
 * must take exactly these.
 */
export async function enqueueFailed(app: TestApp, inputs: readonly EnqueueInput[], message = 'boom'): Promise<Job[]> {
  const jobs = await app.conveyor.enqueueMany(inputs)
  const types = [...new Set(jobs.map((j) => j.type))]
  const queues = [...new Set(jobs.map((j) => j.queue))]
  const claimed = await app.call('POST', '/api/workers/claim', admin, { workerId: 'test-worker', limit: jobs.length, queues, types })
  expect(claimed.status).toBe(200)
  expect((claimed.body.jobs as { id: string }[]).map((j) => j.id).sort()).toEqual(jobs.map((j) => j.id).sort())
  for (const job of jobs) {
    const res = await app.call('POST', `/api/jobs/${job.id}/fail`, admin, { workerId: 'test-worker', error: { message, name: 'TestError' }, retryable: false })
    expect(res.status).toBe(200)
  }
  return jobs
}

/** Waits until the element's attribute has this value (live updates: no reload, no sleep). */
export async function waitForAttribute(page: Page, selector: string, attribute: string, value: string): Promise<void> {
  await page.waitForFunction(
    ([s, a, v]) => document.querySelector(s!)?.getAttribute(a!) === v,
    [selector, attribute, value] as const,
  )
}

/** Where screenshots go: .tmp/screenshots, or packages/dashboard/screenshots with UPDATE_SCREENSHOTS=1 (the README's). */
export function screenshotPath(name: string): string {
  const dir = process.env.UPDATE_SCREENSHOTS ? join(DASHBOARD, 'screenshots') : join(ROOT, '.tmp', 'screenshots')
  mkdirSync(dir, { recursive: true })
  return join(dir, `${name}.png`)
}

/**
 * One Chromium per test file, launched once the dashboard is built; every context a test opens is
 * closed after that test. Call it inside the file's describe block.
 */
export function chromiumPerFile(): { context(options?: Parameters<Browser['newContext']>[0]): Promise<BrowserContext> } {
  let browser: Browser | undefined
  const contexts: BrowserContext[] = []
  beforeAll(async () => {
    await ensureBuilt()
    browser = await launchChromium()
  }, 120_000)
  afterAll(async () => {
    await browser?.close()
  })
  afterEach(async () => {
    await Promise.all(contexts.splice(0).map((c) => c.close()))
  })
  return {
    async context(options = {}) {
      const c = await newContext(browser!, options)
      contexts.push(c)
      return c
    },
  }
}
