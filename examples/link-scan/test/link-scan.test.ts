import { existsSync } from 'node:fs'
import { chromium } from 'playwright-core'
import { describe, expect, it } from 'vitest'
import { cleanup, signIn, startExample, submitScan, waitForStatus } from './helpers.ts'
import { getOnly, hang, html, redirect, reset, startSite, status } from './local-site.ts'

/** Debian's chromium, as the dashboard's browser tests use it; CHROMIUM_PATH overrides it. */
const CHROMIUM = process.env.CHROMIUM_PATH || '/usr/bin/chromium'
const hasChromium = existsSync(CHROMIUM)

/** A page with 4 alive links, 2 dead and 2 that never answer properly (and some that are not links to check). */
async function startLinkedSite(host = '127.0.0.1') {
  const site = await startSite(host, {
    '/page': html(`<!doctype html><title>links</title>
      <a href="/ok">ok</a> <a href='/ok?a=1&amp;b=2'>ok with a query</a> <a href=/get-only>GET only</a>
      <a class="x" href="/moved">moved</a> <a href="/missing">missing</a> <a href="/gone">gone</a>
      <a href="/reset">reset</a> <a href="/hang">hang</a>
      <a href="/ok#again">the same link again</a> <a href="#top">top</a> <a href="mailto:a@example.com">mail</a>
      <!-- <a href="/commented-out">not a link</a> -->`),
    '/ok': status(200),
    '/get-only': getOnly,
    '/moved': redirect((s) => `${s.url}/ok`, 301),
    '/gone': status(410),
    '/reset': reset,
    '/hang': hang,
  })
  cleanup(() => site.close())
  return site
}

describe('link scan (seed 000)', () => {
  it('with allowPrivateNetworks on, a scan of a local page counts alive, dead and erroring links and ends at 100%', async () => {
    const site = await startLinkedSite()
    const { conveyor, example } = await startExample({ allowPrivateNetworks: true, linkTimeoutMs: 500 })
    const alice = await signIn(example.appUrl, 'alice')

    const id = await submitScan(alice, `${site.url}/page`)
    const job = await waitForStatus(conveyor, id, ['completed', 'failed'])

    expect(job.lastError).toBeNull()
    expect(job).toMatchObject({ status: 'completed', owner: 'alice', progress: 100, progressMessage: '8/8 links checked' })
    expect(job.result).toEqual({ alive: 4, dead: 2, errors: 2 })
    // HEAD first; GET where HEAD is refused; redirects followed; entities decoded; no fragment or mailto checked.
    expect(site.requests).toEqual(
      expect.arrayContaining(['GET /page', 'HEAD /ok', 'HEAD /ok?a=1&b=2', 'HEAD /get-only', 'GET /get-only', 'HEAD /moved', 'HEAD /missing']),
    )
    expect(site.requests.filter((r) => r === 'HEAD /ok')).toHaveLength(2) // once as a link, once after /moved
    expect(site.requests.some((r) => r.includes('commented-out'))).toBe(false)
  })

  it('with allowPrivateNetworks off, scans of 127.0.0.1, of localhost and of redirects to them fail with the SSRF error before connecting', async () => {
    const loopback = await startLinkedSite('127.0.0.1')
    const port = new URL(loopback.url).port
    // Another loopback address, allowed by name, stands in for a public site that redirects inward.
    const outside = await startSite('127.0.0.2', {
      '/to-loopback': redirect(() => `${loopback.url}/page`),
      '/to-localhost': redirect(() => `http://localhost:${port}/page`, 307),
      '/page': html(`<a href="/ok">allowed</a>
        <a href="${loopback.url}/ok">127.0.0.1</a> <a href="http://localhost:${port}/ok">localhost</a>
        <a href="http://[::1]:${port}/ok">::1</a> <a href="http://[::ffff:127.0.0.1]:${port}/ok">mapped</a>`),
      '/ok': status(200),
    })
    cleanup(() => outside.close())
    const { conveyor, example } = await startExample({ allowNetworks: ['127.0.0.2'], linkTimeoutMs: 2000 })
    const alice = await signIn(example.appUrl, 'alice')

    const refused = [`${loopback.url}/page`, `http://localhost:${port}/page`, `${outside.url}/to-loopback`, `${outside.url}/to-localhost`]
    const ids = await Promise.all(refused.map((url) => submitScan(alice, url)))
    const mixed = await submitScan(alice, `${outside.url}/page`)
    for (const [i, id] of ids.entries()) {
      const job = await waitForStatus(conveyor, id, ['completed', 'failed'])
      expect(job.status, refused[i]).toBe('failed')
      // Permanent: refused once, never tried again.
      expect(job.attempts, refused[i]).toBe(1)
      expect(job.lastError, refused[i]).toMatchObject({ name: 'BlockedAddressError', code: 'ssrf_blocked', message: expect.stringMatching(/loopback address/) })
    }
    // Links the guard refuses count as errors; the allowed one is alive.
    const scanned = await waitForStatus(conveyor, mixed, ['completed', 'failed'])
    expect(scanned.result).toEqual({ alive: 1, dead: 0, errors: 4 })

    // Nothing ever reached the loopback site: each address was judged before connecting.
    expect(loopback.requests).toEqual([])
    expect(outside.requests.sort()).toEqual(['GET /page', 'GET /to-localhost', 'GET /to-loopback', 'HEAD /ok'])
  })

  it("one user's token never lists, reads, counts or streams another user's jobs", async () => {
    const site = await startLinkedSite()
    const { conveyor, example } = await startExample({ allowPrivateNetworks: true, linkTimeoutMs: 500 })
    const alice = await signIn(example.appUrl, 'alice')
    const bob = await signIn(example.appUrl, 'bob')

    const a1 = await submitScan(alice, `${site.url}/page`)
    const b1 = await submitScan(bob, `${site.url}/ok`)
    const a2 = await submitScan(alice, `${site.url}/gone`)

    const aliceList = await alice.listJobs({ type: 'scan' })
    expect(aliceList.jobs.map((j) => j.id)).toEqual([a2, a1]) // newest first
    expect(aliceList.count).toBe(2)
    expect((await bob.listJobs()).jobs.map((j) => j.id)).toEqual([b1])
    // Asking for another owner's jobs by name, or by id, finds nothing of theirs.
    expect((await alice.listJobs({ owner: 'bob' })).jobs.filter((j) => j.owner !== 'alice')).toEqual([])
    await expect(alice.getJob(b1)).rejects.toMatchObject({ status: 404 })
    await expect(alice.cancel(b1)).rejects.toMatchObject({ status: 404 })
    expect((await alice.stats()).stats.total).toBe(2)
    // A token can't enqueue for someone else.
    await expect(alice.enqueue({ type: 'scan', payload: { url: site.url }, owner: 'bob' })).rejects.toMatchObject({ status: 403 })
    // The live list follows the same rule: alice's event stream carries her jobs only.
    const seen = new Set<string | null>()
    let a3: string | undefined
    let aliceDone!: () => void
    const ended = new Promise<void>((resolve) => (aliceDone = resolve))
    await new Promise<void>((open) => {
      const off = alice.subscribe(
        { type: 'scan' },
        (e) => {
          seen.add(e.owner)
          if (e.id === a3 && e.status === 'completed') aliceDone()
        },
        { onStateChange: (state) => state === 'open' && open() },
      )
      cleanup(async () => off())
    })
    const b2 = await submitScan(bob, `${site.url}/ok`)
    await waitForStatus(conveyor, b2, ['completed'])
    a3 = await submitScan(alice, `${site.url}/ok`)
    // Events reach a stream in order: bob's, had they leaked, would have come first.
    await ended
    expect([...seen]).toEqual(['alice'])
  })

  it.skipIf(!hasChromium)("the page: sign in, submit URLs, follow each scan live to its counts or its error, newest first, another user's scans never shown", async () => {
    const site = await startLinkedSite()
    const { example } = await startExample({ allowPrivateNetworks: true, linkTimeoutMs: 500 })
    await submitScan(await signIn(example.appUrl, 'bob'), `${site.url}/ok`)
    const browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--headless', '--no-sandbox', '--disable-gpu'] })
    cleanup(() => browser.close())
    const page = await browser.newPage()
    page.setDefaultTimeout(15_000)
    const problems: string[] = []
    page.on('pageerror', (err) => problems.push(err.message))
    page.on('response', (r) => r.status() >= 400 && !r.url().endsWith('/favicon.ico') && problems.push(`${r.status()} ${r.url()}`))

    await page.goto(example.appUrl)
    await page.fill('input[name=user]', 'alice')
    await page.click('button[type=submit]')
    await page.fill('input[name=url]', `${site.url}/page`)
    await page.click('button:text("Scan")')
    // No reload and no polling: the item turns completed from the event stream.
    const first = page.locator('li.scan[data-status=completed] .result')
    await first.waitFor()
    expect(await first.evaluate((el) => ({ ...(el as HTMLElement).dataset }))).toEqual({ alive: '4', dead: '2', errors: '2' })

    await page.fill('input[name=url]', `${site.url}/gone`)
    await page.click('button:text("Scan")')
    await page.locator('li.scan[data-status=failed]').waitFor()
    const items = await page.locator('li.scan').evaluateAll((els) => els.map((el) => [el.querySelector('.url')?.textContent, el.getAttribute('data-status')]))
    expect(items).toEqual([
      [`${site.url}/gone`, 'failed'],
      [`${site.url}/page`, 'completed'],
    ])
    expect(await page.locator('li.scan[data-status=failed] .error').textContent()).toContain('answered 410')
    expect(problems).toEqual([])
  })
})
