import { fileURLToPath } from 'node:url'
import type { Conveyor } from '@conveyor/core'
import { type ExampleOptions, type RunningExample, startExample } from '../../app-kit/start-example.ts'
import { analyseHandler } from './analyse.ts'
import { ANALYSE } from './settings.ts'

const PAGE = fileURLToPath(new URL('../page/page.tsx', import.meta.url))
const STYLES = fileURLToPath(new URL('../page/page.css', import.meta.url))

/** The file-analysis app: the `analyse` worker, the Conveyor API, and the page that uses it. */
export async function startFileAnalysis(
  conveyor: Conveyor,
  options: Omit<ExampleOptions, 'conveyor' | 'title' | 'page'> = {},
): Promise<RunningExample> {
  const worker = conveyor.work({ [ANALYSE]: analyseHandler(conveyor.files) }, { concurrency: 2 })
  return startExample({ styles: STYLES, ...options, conveyor, title: 'File analysis', page: PAGE, workers: [worker] })
}
