import http, { type IncomingMessage } from 'node:http'
import https from 'node:https'
import { type AddressRange, blockedKind, guardedLookup, inNetworks, parseAddress, PermanentError } from '@conveyor/core'

/** Where requests may go. */
export interface NetworkPolicy {
  /** Allow private, loopback, link-local, … addresses too. Default false. */
  allowPrivateNetworks: boolean
  /** Blocked networks allowed anyway (say, one intranet host), from parseNetworks(). */
  allowNetworks: readonly AddressRange[]
}

/**
 * A URL (or a redirect it led to) resolved to an address a scan may not reach. Permanent: running the
 * job again would only be refused again. `code` lands in the job's lastError.
 */
export class BlockedAddressError extends PermanentError {
  readonly code = 'ssrf_blocked'
  constructor(host: string, address: string, kind: string) {
    super(`refused ${host}${host === address ? '' : ` (${address})`}: a ${kind} address; set allowPrivateNetworks to scan private networks`)
    this.name = 'BlockedAddressError'
  }
}

function assertAllowed(policy: NetworkPolicy, host: string, address: string): void {
  if (policy.allowPrivateNetworks) return
  const kind = blockedKind(address)
  if (kind && !inNetworks(address, policy.allowNetworks)) throw new BlockedAddressError(host, address, kind)
}

export interface GuardedFetchOptions {
  method: 'GET' | 'HEAD'
  policy: NetworkPolicy
  /** Per request (each redirect hop has its own). */
  timeoutMs: number
  /** Read the body (up to this many bytes; the rest is dropped) of a final 2xx answer. Default: don't. */
  maxBodyBytes?: number
  maxRedirects?: number
  /** The job's signal: cancel, timeout, shutdown. */
  signal?: AbortSignal
}

export interface GuardedResponse {
  /** The URL that answered, after redirects. */
  url: string
  status: number
  contentType: string
  body: string | null
}

const REDIRECTS = new Set([301, 302, 303, 307, 308])
const USER_AGENT = 'conveyor-link-scan/1.0 (+https://github.com/conveyor)'

/**
 * An HTTP(S) request that follows redirects itself, so that every hop is checked against the policy:
 * an IP literal before connecting, a name on each of its resolved addresses. Proxy settings are never
 * used, and each request has its own connection (no pooled socket outlives it).
 */
export async function guardedFetch(url: string, options: GuardedFetchOptions): Promise<GuardedResponse> {
  const maxRedirects = options.maxRedirects ?? 5
  let current = new URL(url)
  for (let hop = 0; ; hop++) {
    const res = await requestOnce(current, options)
    if (REDIRECTS.has(res.status) && res.location) {
      if (hop >= maxRedirects) throw new Error(`more than ${maxRedirects} redirects from ${url}`)
      current = new URL(res.location, current)
      continue
    }
    return { url: current.href, status: res.status, contentType: res.contentType, body: res.body }
  }
}

interface Answer {
  status: number
  location: string | undefined
  contentType: string
  body: string | null
}

async function requestOnce(url: URL, options: GuardedFetchOptions): Promise<Answer> {
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new Error(`not an http(s) URL: ${url.href}`)
  // Node connects to an IP literal without a lookup: judge it here.
  const literal = parseAddress(url.hostname)
  if (literal) assertAllowed(options.policy, url.hostname, url.hostname.replace(/^\[(.*)\]$/, '$1'))
  const timeout = AbortSignal.timeout(options.timeoutMs)
  const signal = options.signal ? AbortSignal.any([options.signal, timeout]) : timeout
  const transport = url.protocol === 'https:' ? https : http
  try {
    return await new Promise<Answer>((resolve, reject) => {
      const req = transport.request(url, {
        method: options.method,
        agent: false,
        // Every address the name resolves to is judged inside the connection's own lookup (no DNS rebinding).
        lookup: guardedLookup((host, address) => assertAllowed(options.policy, host, address)),
        signal,
        headers: { 'user-agent': USER_AGENT, accept: 'text/html,application/xhtml+xml,*/*;q=0.8' },
      })
      req.on('error', reject)
      req.on('response', (res) => {
        const status = res.statusCode ?? 0
        const answer = { status, location: res.headers.location, contentType: String(res.headers['content-type'] ?? '') }
        const wantBody = options.maxBodyBytes !== undefined && options.method === 'GET' && status >= 200 && status < 300
        if (!wantBody) {
          res.destroy()
          return resolve({ ...answer, body: null })
        }
        readBody(res, options.maxBodyBytes!).then((body) => resolve({ ...answer, body }), reject)
      })
      req.end()
    })
  } catch (err) {
    if (options.signal?.aborted) throw options.signal.reason
    if (timeout.aborted) throw new Error(`no answer from ${url.host} within ${options.timeoutMs} ms`)
    throw err
  }
}

function readBody(res: IncomingMessage, maxBytes: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = []
    let size = 0
    res.on('data', (chunk: Buffer) => {
      chunks.push(chunk)
      size += chunk.length
      // Enough of the page: links past the limit are not checked.
      if (size >= maxBytes) {
        res.destroy()
        resolve(Buffer.concat(chunks).subarray(0, maxBytes).toString('utf8'))
      }
    })
    res.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')))
    res.on('error', reject)
    res.on('aborted', () => reject(new Error('the connection closed before the page was read')))
  })
}
