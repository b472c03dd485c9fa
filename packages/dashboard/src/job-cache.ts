import type { Job } from '@conveyor/client'
import type { QueryClient } from '@tanstack/react-query'

/** A cached page of GET /api/jobs (query key `['jobs', query]`). */
export type JobListData = { jobs: Job[]; count: number; nextCursor: string | null }

/** Puts a freshly read job into every cached list that shows it, and into its own query. */
export function storeJob(qc: QueryClient, job: Job): void {
  for (const [key, data] of qc.getQueriesData<JobListData>({ queryKey: ['jobs'] })) {
    const row = data?.jobs.find((j) => j.id === job.id)
    // An event applied meanwhile may be newer than this read.
    if (!data || !row || Date.parse(job.updatedAt) < Date.parse(row.updatedAt)) continue
    qc.setQueryData<JobListData>(key, { ...data, jobs: data.jobs.map((j) => (j === row ? { ...j, ...job, attemptLog: j.attemptLog } : j)) })
  }
  const own = qc.getQueryData<{ job: Job }>(['job', job.id])
  if (own && Date.parse(job.updatedAt) >= Date.parse(own.job.updatedAt)) qc.setQueryData(['job', job.id], { job: { ...own.job, ...job, attemptLog: job.attemptLog ?? own.job.attemptLog } })
}

