import { fileURLToPath } from 'node:url'
import type { Conveyor } from '@conveyor/core'
import { type ExampleOptions, type RunningExample, startExample } from '../../app-kit/start-example.ts'
import { declareSchedules, scheduleSearches, type SearchUser } from './schedule-searches.ts'
import { FAIRNESS, SCHEDULE_SEARCHES, SEARCH_QUEUE } from './settings.ts'

const PAGE = fileURLToPath(new URL('../page/page.tsx', import.meta.url))
const STYLES = fileURLToPath(new URL('../page/page.css', import.meta.url))

export interface SearchRunsOptions extends Omit<ExampleOptions, 'conveyor' | 'title' | 'page'> {
  /** The users the schedule runs searches for. */
  users: () => SearchUser[] | Promise<SearchUser[]>
}

/**
 * The search-runs app: per-user fairness on the search queue, the schedules, the in-process worker of
 * the scheduled fan-out, the Conveyor API and the page. The searches themselves are run by the Python
 * worker (see main.ts), over HTTP.
 */
export async function startSearchRuns(conveyor: Conveyor, { users, ...options }: SearchRunsOptions): Promise<RunningExample> {
  await conveyor.setQueueLimits(SEARCH_QUEUE, FAIRNESS)
  await declareSchedules(conveyor)
  const fanOut = conveyor.work({ [SCHEDULE_SEARCHES]: scheduleSearches(conveyor, users) }, { queues: ['default'], concurrency: 1 })
  return startExample({ styles: STYLES, ...options, conveyor, title: 'Search runs', page: PAGE, workers: [fanOut] })
}
