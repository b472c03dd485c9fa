import { type ConveyorClient, createClient } from '@conveyor/client'
import { afterEach, expect } from 'vitest'
import { openConveyor } from '../../../packages/core/test/helpers.ts'
import { startLinkScan } from '../src/app.ts'
import type { ScanOptions } from '../src/scan-handler.ts'

export { waitForStatus } from '../../../packages/core/test/helpers.ts'

const cleanups: (() => unknown)[] = []

// Registered after the core helpers' afterEach (imported above), so it runs first: the example, its
// sites and subscriptions stop before their Conveyor closes.
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c()
})

/** Runs `fn` after the test (last registered, first run). */
export function cleanup(fn: () => unknown): void {
  cleanups.push(fn)
}

/** The whole example (page and backend, Conveyor's API, the scan worker) on free ports over a fresh schema; stopped after the test. */
export async function startExample(scan: ScanOptions) {
  const conveyor = await openConveyor()
  const example = await startLinkScan(conveyor, { apiPort: 0, appPort: 0, scan })
  cleanup(() => example.close())
  return { conveyor, example }
}

/** Signs in at the app's backend as the page does; answers a client acting with the user's token. */
export async function signIn(appUrl: string, user: string): Promise<ConveyorClient> {
  const res = await fetch(`${appUrl}/app/session`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ user }) })
  expect(res.status).toBe(200)
  const { apiUrl, token } = (await res.json()) as { apiUrl: string; token: string }
  return createClient({ baseUrl: apiUrl, token })
}

/** Submits a scan as the page does; answers the new job's id. */
export async function submitScan(client: ConveyorClient, url: string): Promise<string> {
  const { job } = await client.enqueue({ type: 'scan', payload: { url } })
  return job.id
}
