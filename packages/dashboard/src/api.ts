import { type ConveyorClient, ConveyorHttpError, createClient } from '@conveyor/client'

/**
 * The dashboard's client of the public HTTP API, on the page's own origin. No key: the httpOnly
 * session cookie set at sign-in authenticates every call (the browser sends it; scripts never see it).
 */
export const client: ConveyorClient = createClient({ baseUrl: '', credentials: 'same-origin' })

export type Role = 'admin' | 'producer' | 'viewer' | 'worker' | 'user'
export interface SessionInfo {
  role: Role
  name: string
  expiresAt: string | null
}

/** What each role may do in the dashboard: buttons for what it may not are absent, not failing. */
export function abilities(role: Role | undefined) {
  return {
    /** retry, cancel, delete, enqueue */
    act: role === 'admin' || role === 'producer',
    /** pause and resume queues */
    admin: role === 'admin',
  }
}

/** The dashboard's own routes (outside the contracts' table): sign-in and metrics. */
async function call<T>(method: string, path: string, body?: unknown): Promise<T> {
  const res = await fetch(path, {
    method,
    credentials: 'same-origin',
    headers: body === undefined ? { accept: 'application/json' } : { accept: 'application/json', 'content-type': 'application/json' },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  })
  const text = await res.text()
  let json: unknown
  try {
    json = text ? JSON.parse(text) : undefined
  } catch {
    json = undefined
  }
  if (res.ok) return json as T
  const err = (json as { error?: { code?: string; message?: string; details?: unknown } } | undefined)?.error
  throw new ConveyorHttpError({
    status: res.status,
    code: err?.code ?? 'http_error',
    message: err?.message ?? `${method} ${path} answered ${res.status}`,
    details: err?.details,
    request: `${method} ${path}`,
  })
}

export const sessionApi = {
  get: () => call<{ session: SessionInfo | null }>('GET', '/api/session'),
  signIn: (key: string) => call<{ session: SessionInfo }>('POST', '/api/session', { key }),
  signOut: () => call<{ session: null }>('DELETE', '/api/session'),
}

export interface MetricsSummary {
  window: string
  stepMs: number
  series: { at: string; enqueued: number; completed: number; failed: number; cancelled: number }[]
  totals: { enqueued: number; completed: number; failed: number; cancelled: number }
  successRate: number | null
  duration: { count: number; avgMs: number | null; p50Ms: number | null; p95Ms: number | null; p99Ms: number | null }
}
export interface ErrorGroup {
  name: string
  shape: string
  count: number
  lastSeen: string
  sampleJobId: string
  sampleMessage: string
  types: string[]
}

export const metricsApi = {
  summary: (window = '1h') => call<{ summary: MetricsSummary }>('GET', `/api/metrics/summary?window=${encodeURIComponent(window)}`),
  errors: (window = '1h') => call<{ errors: ErrorGroup[] }>('GET', `/api/metrics/errors?window=${encodeURIComponent(window)}&limit=5`),
}

/** The message to show for a failed call. */
export function errorMessage(err: unknown): string {
  if (err instanceof ConveyorHttpError) return err.message
  if (err instanceof Error) return err.message
  return String(err)
}
