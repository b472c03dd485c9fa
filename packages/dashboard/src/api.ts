import { type ConveyorClient, ConveyorHttpError, createClient } from '@conveyor/client'
import type { RouteResponse } from '@conveyor/contracts'

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

/**
 * What each role may do in the dashboard: buttons for what it may not are absent, not failing. The
 * server's access table (packages/server/src/access.ts) is the authority; this mirrors it.
 */
export function abilities(role: Role | undefined) {
  return {
    /** retry, cancel, delete, enqueue; run a schedule now; retry an error group */
    act: role === 'admin' || role === 'producer',
    /** pause and resume queues; create, change and remove schedules and alert rules */
    admin: role === 'admin',
    /** read alert rules, their history and the audit log (producers see jobs, not the operators' views) */
    oversee: role === 'admin' || role === 'viewer',
  }
}

/** The dashboard's own routes (outside the contracts' table): sign-in. */
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

/** The answers of the metrics routes, as the contracts type them. */
export type MetricsSummary = RouteResponse<'metricsSummary'>['summary']
export type ErrorGroup = RouteResponse<'metricsErrors'>['errors'][number]
export type MetricsWindow = MetricsSummary['window']

/** The message to show for a failed call. */
export function errorMessage(err: unknown): string {
  if (err instanceof ConveyorHttpError) return err.message
  if (err instanceof Error) return err.message
  return String(err)
}
