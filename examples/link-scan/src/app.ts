import { fileURLToPath } from 'node:url'
import type { Conveyor } from '@conveyor/core'
import { type ExampleOptions, type RunningExample, startExample } from '../../app-kit/start-example.ts'
import { createScanHandler, type ScanOptions } from './scan-handler.ts'

const PAGE = fileURLToPath(new URL('../page/page.tsx', import.meta.url))
const STYLES = fileURLToPath(new URL('../page/page.css', import.meta.url))

export interface LinkScanOptions extends Omit<ExampleOptions, 'conveyor' | 'title' | 'page'> {
  /** The scan handler's settings (allowPrivateNetworks, timeouts, …). */
  scan?: ScanOptions
  /** Pages scanned at once by this process. Default 4. */
  concurrency?: number
}

/**
 * The link-scan app (seed 000): the `scan` worker, the Conveyor API, and the page. The page signs the
 * user in at the app's backend, which mints a user token for them; with it the page enqueues scans and
 * lists and follows the user's own jobs on the API directly, so the app has no job routes of its own
 * (seed 000's proxy routes and its `?userId=` filter are the token's owner now).
 */
export async function startLinkScan(conveyor: Conveyor, options: LinkScanOptions = {}): Promise<RunningExample> {
  const { scan, concurrency, ...rest } = options
  const worker = conveyor.work({ scan: createScanHandler(scan) }, { concurrency: concurrency ?? 4 })
  return startExample({ styles: STYLES, ...rest, conveyor, title: 'Link scan', page: PAGE, workers: [worker] })
}
