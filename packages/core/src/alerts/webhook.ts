import http from 'node:http'
import https from 'node:https'
import { blockedKind, parseAddress } from '../net/address-policy.ts'
import { guardedLookup, type Resolve } from '../net/guarded-lookup.ts'

/**
 * The address kinds a webhook may not call. Link-local holds the cloud metadata service
 * (169.254.169.254: credentials of the machine's role), so an alert rule's URL must not reach it (SSRF).
 * Loopback and private networks stay allowed: people run their webhook receivers on their own network.
 */
const REFUSED_KINDS: ReadonlySet<string> = new Set(['link-local', 'cloud metadata'])

const REFUSED_WHY = 'webhooks may not call link-local addresses (169.254.0.0/16, fe80::/10) or cloud metadata services'

/** Why a webhook may not call this IP address, or null when it may. */
export function webhookAddressRefusal(address: string): string | null {
  const kind = blockedKind(address)
  return kind !== null && REFUSED_KINDS.has(kind) ? kind : null
}

/**
 * Why a webhook URL may not be used (its host is a refused IP address), or null. A host name is
 * judged on the addresses it resolves to when the webhook is called (postWebhook).
 */
export function webhookUrlRefusal(url: string): string | null {
  let host: string
  try {
    host = new URL(url).hostname
  } catch {
    return null // not a URL: the URL check says so
  }
  const address = parseAddress(host) ? host.replace(/^\[(.*)\]$/, '$1') : null
  const kind = address === null ? null : webhookAddressRefusal(address)
  return kind === null ? null : `${host} is a ${kind} address; ${REFUSED_WHY}`
}

function refuseAddress(host: string, address: string): void {
  const kind = webhookAddressRefusal(address)
  if (kind !== null) throw new Error(`refused ${host} (${address}): a ${kind} address; ${REFUSED_WHY}`)
}

export interface WebhookOptions {
  /** The whole call, connecting included. */
  timeoutMs: number
  /** Name resolution (tests pass their own); every address it gives is judged before connecting. */
  resolve?: Resolve
}

/**
 * POSTs JSON to a webhook, failing on a non-2xx answer or after `timeoutMs`. The address connected to
 * is judged after resolution (a name resolving to a link-local address is never called), and
 * redirects are not followed: a 3xx is a failed delivery, or a redirect could lead anywhere.
 */
export async function postWebhook(url: string, body: unknown, options: WebhookOptions): Promise<void> {
  const target = new URL(url)
  if (target.protocol !== 'http:' && target.protocol !== 'https:') throw new Error(`not an http(s) URL: ${target.protocol}`)
  const refused = webhookUrlRefusal(url)
  if (refused) throw new Error(refused)
  const data = Buffer.from(JSON.stringify(body))
  const signal = AbortSignal.timeout(options.timeoutMs)
  const transport = target.protocol === 'https:' ? https : http
  let status: number
  try {
    status = await new Promise<number>((resolve, reject) => {
      const req = transport.request(target, {
        method: 'POST',
        // A connection of its own: no pooled socket (and no proxy) outlives the call.
        agent: false,
        lookup: guardedLookup(refuseAddress, options.resolve),
        signal,
        headers: { 'content-type': 'application/json', 'content-length': String(data.length) },
      })
      req.on('error', reject)
      req.on('response', (res) => {
        res.resume()
        resolve(res.statusCode ?? 0)
      })
      req.end(data)
    })
  } catch (err) {
    if (signal.aborted) throw new Error(`the webhook did not answer within ${options.timeoutMs} ms`)
    throw err
  }
  if (status < 200 || status >= 300) throw new Error(`webhook answered ${status}`)
}
