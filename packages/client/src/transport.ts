import { ROUTES, type RouteId } from '@conveyor/contracts'
import { ConveyorHttpError } from './http-error.ts'

/** How a client reaches a Conveyor server. */
export interface ClientOptions {
  /** The server's origin and any path prefix, e.g. `http://127.0.0.1:3000`; `''` for the page's own origin. */
  baseUrl: string
  /** An API key (`Authorization: Bearer KEY`). */
  key?: string
  /**
   * A user token from POST /api/tokens, or a function returning the current one (called before every
   * request, so a short-lived token can be refreshed).
   */
  token?: string | (() => string | Promise<string>)
  /** The fetch to use; default the global one (Node 20, browsers). */
  fetch?: typeof fetch
  /** Extra headers on every request. */
  headers?: Record<string, string>
  /** Sent as fetch's `credentials`, e.g. `include` for the dashboard's session cookie on another origin. */
  credentials?: RequestCredentials
}

/** What one call of a route sends. */
export interface RouteCall {
  params?: Record<string, string>
  query?: object
  body?: unknown
  /** A body sent as it is (a file upload) instead of JSON. */
  raw?: { body: BodyInit; contentType: string }
  signal?: AbortSignal
}

export type QueryValue = string | number | boolean | Date | readonly (string | number)[] | Record<string, unknown> | null | undefined

/**
 * The one fetch wrapper: builds the URL from the route table, adds the credentials, sends JSON and
 * turns every non-2xx answer into a ConveyorHttpError.
 */
export class Transport {
  readonly #o: ClientOptions
  readonly #fetch: typeof fetch
  readonly #base: string

  constructor(options: ClientOptions) {
    this.#o = options
    // Bound: a detached window.fetch throws "Illegal invocation" in browsers.
    this.#fetch = options.fetch ?? ((input, init) => globalThis.fetch(input, init))
    this.#base = options.baseUrl.replace(/\/+$/, '')
  }

  /** The absolute (or origin-relative) URL of a route. */
  url(route: RouteId, params: Record<string, string> = {}, query?: object): string {
    const path = ROUTES[route].path.replace(/:(\w+)/g, (_, name: string) => {
      const value = params[name]
      if (value === undefined) throw new TypeError(`${route}: missing path parameter "${name}"`)
      return encodeURIComponent(value)
    })
    const qs = query ? encodeQuery(query as Record<string, QueryValue>) : ''
    return `${this.#base}${path}${qs ? `?${qs}` : ''}`
  }

  /** The headers every request carries: credentials and the caller's extras. */
  async headers(extra: Record<string, string> = {}): Promise<Record<string, string>> {
    const h: Record<string, string> = { ...this.#o.headers, ...extra }
    const secret = typeof this.#o.token === 'function' ? await this.#o.token() : (this.#o.token ?? this.#o.key)
    if (secret) h.authorization = `Bearer ${secret}`
    return h
  }

  /** Sends a raw request (the event stream uses this); the caller reads the answer. */
  async fetch(url: string, init: RequestInit & { headers?: Record<string, string> }): Promise<Response> {
    const headers = await this.headers(init.headers)
    return this.#fetch(url, { ...init, headers, ...(this.#o.credentials ? { credentials: this.#o.credentials } : {}) })
  }

  /** GETs a file: the Response itself on 2xx (the caller reads the body), a ConveyorHttpError otherwise. */
  async download(url: string, signal?: AbortSignal): Promise<Response> {
    const res = await this.fetch(url, { method: 'GET', ...(signal ? { signal } : {}) })
    if (isOk(res.status)) return res
    const text = await res.text()
    throw toHttpError(res, parseJson(text, res.headers.get('content-type')), text, `GET ${url}`)
  }

  /** Calls a route and answers its parsed JSON body. Non-2xx answers throw a ConveyorHttpError. */
  async call<T>(route: RouteId, call: RouteCall = {}, accept: (status: number) => boolean = isOk): Promise<T> {
    const def = ROUTES[route]
    const url = this.url(route, call.params, call.query)
    const hasBody = call.body !== undefined
    const contentType = call.raw ? call.raw.contentType : hasBody ? 'application/json' : undefined
    const body = call.raw ? call.raw.body : hasBody ? JSON.stringify(call.body) : undefined
    const res = await this.fetch(url, {
      method: def.method,
      headers: contentType ? { 'content-type': contentType, accept: 'application/json' } : { accept: 'application/json' },
      ...(body !== undefined ? { body } : {}),
      // A stream body needs half duplex in Node's fetch.
      ...(typeof ReadableStream !== 'undefined' && body instanceof ReadableStream ? { duplex: 'half' } : {}),
      ...(call.signal ? { signal: call.signal } : {}),
    })
    const request = `${def.method} ${def.path}`
    const text = await res.text()
    const json = parseJson(text, res.headers.get('content-type'))
    if (accept(res.status)) {
      if (json === undefined && text.length > 0) return text as T
      return json as T
    }
    throw toHttpError(res, json, text, request)
  }
}

const isOk = (status: number) => status >= 200 && status < 300

function parseJson(text: string, contentType: string | null): unknown {
  if (text.length === 0 || !contentType?.includes('json')) return undefined
  try {
    return JSON.parse(text) as unknown
  } catch {
    return undefined
  }
}

/** Builds the error of a non-2xx answer: the API's own error body when there is one. */
export function toHttpError(res: Response, json: unknown, text: string, request: string): ConveyorHttpError {
  const retryAfter = res.headers.get('retry-after')
  const retryAfterMs = retryAfter === null ? undefined : retryAfterToMs(retryAfter)
  const body = (json as { error?: { code?: unknown; message?: unknown; details?: unknown } } | undefined)?.error
  if (body && typeof body.code === 'string' && typeof body.message === 'string') {
    return new ConveyorHttpError({ status: res.status, code: body.code, message: body.message, details: body.details, retryAfterMs, request })
  }
  const snippet = text.slice(0, 200).trim()
  return new ConveyorHttpError({
    status: res.status,
    code: 'http_error',
    message: `${request} answered ${res.status} ${res.statusText}${snippet ? `: ${snippet}` : ''}`,
    retryAfterMs,
    request,
  })
}

function retryAfterToMs(value: string): number | undefined {
  const seconds = Number(value)
  if (Number.isFinite(seconds)) return Math.max(0, seconds * 1000)
  const at = Date.parse(value)
  return Number.isNaN(at) ? undefined : Math.max(0, at - Date.now())
}

/**
 * A query string as the API reads it: arrays as comma lists, dates as ISO strings, objects
 * (metadata filters) as JSON; undefined and null are left out.
 */
export function encodeQuery(query: Record<string, QueryValue>): string {
  const qs = new URLSearchParams()
  for (const [name, value] of Object.entries(query)) {
    if (value === undefined || value === null) continue
    if (Array.isArray(value)) {
      if (value.length > 0) qs.set(name, value.join(','))
    } else if (value instanceof Date) qs.set(name, value.toISOString())
    else if (typeof value === 'object') qs.set(name, JSON.stringify(value))
    else qs.set(name, String(value))
  }
  return qs.toString()
}
