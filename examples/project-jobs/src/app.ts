import { fileURLToPath } from 'node:url'
import type { Conveyor } from '@conveyor/core'
import { type ExampleOptions, type RunningExample, startExample } from '../../app-kit/start-example.ts'
import { projectHandlers } from './handlers.ts'
import type { ProjectStore } from './project-store.ts'
import { PROJECT_QUEUE } from './settings.ts'

const PAGE = fileURLToPath(new URL('../page/page.tsx', import.meta.url))
const STYLES = fileURLToPath(new URL('../page/page.css', import.meta.url))

export interface ProjectJobsOptions extends Omit<ExampleOptions, 'conveyor' | 'title' | 'page'> {
  store: ProjectStore
  /** Time per step of the simulated work. */
  stepMs: number
}

/** The project-jobs app: the four job types' worker, the Conveyor API, and the jobs page. */
export async function startProjectJobs(conveyor: Conveyor, { store, stepMs, ...options }: ProjectJobsOptions): Promise<RunningExample> {
  const worker = conveyor.work(projectHandlers(store, { stepMs }), { queues: [PROJECT_QUEUE], concurrency: 4 })
  return startExample({
    styles: STYLES,
    ...options,
    conveyor,
    title: 'Project jobs',
    page: PAGE,
    workers: [worker],
  })
}
