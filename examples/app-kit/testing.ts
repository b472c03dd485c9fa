import type { Browser, BrowserContext, Page } from 'playwright-core'
import { afterAll } from 'vitest'
import { assertClean, hasChromium, launchChromium, NO_CHROMIUM_REASON, newContext } from '../../packages/dashboard/test/browser.ts'

export { assertClean, hasChromium, NO_CHROMIUM_REASON }

let browser: Promise<Browser> | undefined
afterAll(async () => {
  if (browser) await (await browser).close()
})

/** A fresh browser context (one device) of the file's Chromium, closed after the file. */
export async function device(options: Parameters<Browser['newContext']>[0] = {}): Promise<BrowserContext> {
  browser ??= launchChromium()
  return newContext(await browser, options)
}

/** Opens an example's page in `context` and signs in as `user`, as a person would. */
export async function openSignedIn(context: BrowserContext, appUrl: string, user: string): Promise<Page> {
  const page = await context.newPage()
  await page.goto(appUrl)
  await page.fill('input[name=user]', user)
  await page.click('form.sign-in button[type=submit]')
  await page.waitForSelector('header h1')
  return page
}

/** The URLs of the requests the page made to `origin`, collected from now on. */
export function requestsTo(page: Page, origin: string): string[] {
  const urls: string[] = []
  page.on('request', (r) => {
    if (r.url().startsWith(origin)) urls.push(r.url().slice(origin.length))
  })
  return urls
}
