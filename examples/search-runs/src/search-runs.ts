import type { ConveyorClient, Job } from '@conveyor/client'
import { MANUAL_PRIORITY, SEARCH, SEARCH_MAX_ATTEMPTS, SEARCH_QUEUE, SEARCH_TIMEOUT_MS } from './settings.ts'

/** What one search looks for: the Python worker's payload. */
export interface SearchCriteria {
  jobTitle: string
  location: string
  /** One site only; default all. */
  site?: string
  resultsWanted?: number
}

/** Where a manual run was started: kept in the run's metadata, shown on every device. */
export interface ClientContext {
  device: string
  userAgent: string
}

/** What the Python worker returns. */
export interface SearchResult {
  jobsFound: number
  sites: string[]
  query: string
}

export type SearchRun = Job & { payload: SearchCriteria; metadata: { clientContext?: ClientContext | null } | null }

/** The runs the history shows: this user's newest first (a user token sees only its owner's jobs). */
export const HISTORY = { type: SEARCH, limit: 20 } as const
/** A run still to finish. */
export const ACTIVE = { type: SEARCH, status: ['pending', 'running'], limit: 1 } as const

/** Starts a search now, as the page's Search button does; answers with the run at once. */
export async function startSearch(client: ConveyorClient, criteria: SearchCriteria, context: ClientContext): Promise<SearchRun> {
  const { job } = await client.enqueue({
    type: SEARCH,
    queue: SEARCH_QUEUE,
    payload: criteria,
    source: 'manual',
    priority: MANUAL_PRIORITY,
    maxAttempts: SEARCH_MAX_ATTEMPTS,
    timeoutMs: SEARCH_TIMEOUT_MS,
    metadata: { clientContext: context },
  })
  return job as SearchRun
}

/** Runs a past search again with the same criteria: a new run, from this device. */
export function rerun(client: ConveyorClient, run: Job, context: ClientContext): Promise<SearchRun> {
  return startSearch(client, run.payload as SearchCriteria, context)
}

/** The user's newest run that has not finished, from whichever device (or the schedule) started it. */
export async function activeRun(client: ConveyorClient): Promise<SearchRun | null> {
  const { jobs } = await client.listJobs({ ...ACTIVE, status: [...ACTIVE.status] })
  return (jobs[0] as SearchRun | undefined) ?? null
}
