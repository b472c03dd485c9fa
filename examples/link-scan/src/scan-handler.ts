import { type Handler, parseNetworks, PermanentError } from '@conveyor/core'
import { guardedFetch, type NetworkPolicy } from './guarded-fetch.ts'
import { extractLinks } from './links.ts'

export interface ScanOptions {
  /**
   * Scan private, loopback, link-local, unique-local, multicast and unspecified addresses too (IPv4
   * and IPv6). Default false: users choose the URLs, and the server must not fetch its own network
   * for them (SSRF). Turn it on for an intranet link checker, or in tests against a local server.
   */
  allowPrivateNetworks?: boolean
  /** Networks allowed even though they are private (`10.1.2.0/24`, `fd12::/16`, `192.168.1.5`). */
  allowNetworks?: readonly string[]
  /** Links checked at once. Default 8. */
  concurrency?: number
  /** Per request to a link (each redirect hop). Default 10 s. */
  linkTimeoutMs?: number
  /** Per request for the page itself. Default 15 s. */
  pageTimeoutMs?: number
  /** Links checked per page at most. Default 200. */
  maxLinks?: number
  /** Bytes of the page read at most. Default 2 MiB. */
  maxPageBytes?: number
  /** Redirects followed per request. Default 5. */
  maxRedirects?: number
}

export const SCAN_DEFAULTS = {
  allowPrivateNetworks: false,
  concurrency: 8,
  linkTimeoutMs: 10_000,
  pageTimeoutMs: 15_000,
  maxLinks: 200,
  maxPageBytes: 2 * 1024 * 1024,
  maxRedirects: 5,
} as const

export interface ScanPayload {
  url: string
}

/** Seed 000's result: links that answered (< 400), that answered 4xx/5xx, and that gave no answer. */
export interface ScanResult {
  alive: number
  dead: number
  errors: number
}

type Outcome = keyof ScanResult

/**
 * The `scan` handler: fetches the page at payload.url, checks each of its links (HEAD, or GET where
 * HEAD is refused), reports progress link by link and returns the counts. A page the policy refuses
 * fails the job at once (BlockedAddressError, code ssrf_blocked); a link it refuses counts as an error.
 *
 * @example
 *   conveyor.work({ scan: createScanHandler({ allowPrivateNetworks: false }) })
 */
export function createScanHandler(options: ScanOptions = {}): Handler<ScanPayload, ScanResult> {
  const o = { ...SCAN_DEFAULTS, ...options }
  const policy: NetworkPolicy = { allowPrivateNetworks: o.allowPrivateNetworks, allowNetworks: parseNetworks(options.allowNetworks ?? []) }

  return async (job, ctx) => {
    const url = pageUrl(job.payload)
    await ctx.progress(0, 'fetching the page')
    const page = await guardedFetch(url, {
      method: 'GET',
      policy,
      timeoutMs: o.pageTimeoutMs,
      maxBodyBytes: o.maxPageBytes,
      maxRedirects: o.maxRedirects,
      signal: ctx.signal,
    })
    if (page.status >= 400) {
      const message = `${url} answered ${page.status}`
      // A missing page stays missing; a server error may pass, so that one is worth another attempt.
      throw page.status < 500 ? new PermanentError(message) : new Error(message)
    }
    const links = /html/i.test(page.contentType) || page.contentType === '' ? extractLinks(page.body ?? '', page.url, o.maxLinks) : []

    const result: ScanResult = { alive: 0, dead: 0, errors: 0 }
    let done = 0
    const check = async (link: string): Promise<Outcome> => {
      const request = { policy, timeoutMs: o.linkTimeoutMs, maxRedirects: o.maxRedirects, signal: ctx.signal }
      try {
        let res = await guardedFetch(link, { ...request, method: 'HEAD' })
        // Some servers refuse HEAD: ask again the long way.
        if (res.status === 405 || res.status === 501) res = await guardedFetch(link, { ...request, method: 'GET' })
        return res.status < 400 ? 'alive' : 'dead'
      } catch (err) {
        if (ctx.signal.aborted) throw err
        ctx.log.debug({ link, err: (err as Error).message }, 'link gave no answer')
        return 'errors'
      }
    }
    await ctx.progress(0, `checking ${links.length} links`)
    await eachLimit(links, o.concurrency, async (link) => {
      result[await check(link)]++
      done++
      // Not awaited: the worker coalesces progress writes, and waiting for each would slow the scan.
      ctx.progress(Math.floor((done * 100) / links.length), `${done}/${links.length} links checked`).catch((err: unknown) => {
        ctx.log.warn({ err }, 'progress not written')
      })
    })
    await ctx.progress(100, `${links.length}/${links.length} links checked`)
    return result
  }
}

function pageUrl(payload: unknown): string {
  const url = (payload as Partial<ScanPayload> | null)?.url
  if (typeof url !== 'string') throw new PermanentError('payload.url is required: { "url": "https://…" }')
  let parsed: URL
  try {
    parsed = new URL(url)
  } catch {
    throw new PermanentError(`payload.url is not a URL: ${JSON.stringify(url)}`)
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') throw new PermanentError(`payload.url must be http(s): ${url}`)
  return parsed.href
}

/** Runs fn over items, at most `limit` at once; rejects on the first failure. */
async function eachLimit<T>(items: readonly T[], limit: number, fn: (item: T) => Promise<void>): Promise<void> {
  let next = 0
  const lane = async () => {
    while (next < items.length) await fn(items[next++]!)
  }
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, lane))
}
