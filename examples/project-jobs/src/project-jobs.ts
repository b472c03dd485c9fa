import type { ConveyorClient, Job, JobStatus } from '@conveyor/client'
import { PROJECT_QUEUE, type ProjectJobType } from './settings.ts'

/**
 * Seed 004's jobs API client, on Conveyor's HTTP API: a project's jobs and statistics are its team's
 * jobs filtered by `metadata.projectId` (a user token sees its own team's jobs only).
 */

/** Starts a job for a project; answers at once with the job (its id and status). */
export async function startProjectJob(client: ConveyorClient, projectId: string, type: ProjectJobType, payload?: unknown): Promise<Job> {
  const { job } = await client.enqueue({ type, queue: PROJECT_QUEUE, payload, metadata: { projectId } })
  return job
}

/** GET /api/jobs/projects/:projectId of the seed: the project's jobs, newest first. */
export function projectJobsQuery(projectId: string, filter: { status?: JobStatus; type?: ProjectJobType } = {}) {
  return {
    metadata: { projectId },
    ...(filter.status ? { status: [filter.status] } : {}),
    ...(filter.type ? { type: filter.type } : {}),
    limit: 100,
  }
}

export async function getProjectJobs(client: ConveyorClient, projectId: string, filter: { status?: JobStatus; type?: ProjectJobType } = {}) {
  return (await client.listJobs(projectJobsQuery(projectId, filter))).jobs
}

/** GET /api/jobs/projects/:projectId/stats of the seed: total, queued (pending), running, completed, failed, cancelled. */
export async function getProjectJobStats(client: ConveyorClient, projectId: string) {
  return (await client.stats({ metadata: { projectId } })).stats
}
