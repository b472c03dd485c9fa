import type { Job, JobStatus } from '@conveyor/client'
import { useMutation, useQueryClient } from '@tanstack/react-query'
import { client } from './api.ts'
import { storeJob } from './job-cache.ts'

/** What the state machine allows (DESIGN.md): the buttons shown for a job. */
export const canRetry = (s: JobStatus) => s === 'failed' || s === 'cancelled' || s === 'completed'
export const canCancel = (s: JobStatus) => s === 'pending' || s === 'running'
export const canDelete = (s: JobStatus) => s !== 'running'

/** Invalidates what a change of jobs may have changed: lists, counts, queues. */
export function refreshAfterChange(qc: ReturnType<typeof useQueryClient>) {
  for (const key of ['jobs', 'stats', 'queues', 'metrics']) void qc.invalidateQueries({ queryKey: [key] })
}

/** Retry / cancel one job; the answer (the job's new state) is put in place at once. */
export function useJobAction() {
  const qc = useQueryClient()
  return useMutation({
    mutationFn: async ({ id, action }: { id: string; action: 'retry' | 'cancel' }): Promise<Job> =>
      (action === 'retry' ? await client.retry(id) : await client.cancel(id)).job,
    onSuccess: (job) => {
      storeJob(qc, job)
      for (const key of ['stats', 'queues']) void qc.invalidateQueries({ queryKey: [key] })
    },
  })
}
