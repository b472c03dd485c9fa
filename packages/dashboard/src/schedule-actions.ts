import type { Job } from '@conveyor/client'
import { useMutation, useQueryClient } from '@tanstack/react-query'
import { client } from './api.ts'
import { refreshAfterChange } from './job-actions.ts'

/** Query keys of the schedules: the list, and one schedule with its recent runs. */
export const SCHEDULES_KEY = ['schedules'] as const
export const scheduleKey = (id: string) => ['schedules', id] as const

/** Run a schedule now (one job, outside its timetable); answers the job it enqueued. */
export function useRunNow() {
  const qc = useQueryClient()
  return useMutation({
    mutationFn: async (id: string): Promise<Job> => (await client.triggerSchedule(id)).job,
    onSuccess: () => {
      void qc.invalidateQueries({ queryKey: SCHEDULES_KEY })
      refreshAfterChange(qc)
    },
  })
}

/** Enable or disable a schedule. */
export function useSetEnabled() {
  const qc = useQueryClient()
  return useMutation({
    mutationFn: ({ id, enabled }: { id: string; enabled: boolean }) => client.updateSchedule(id, { enabled }),
    onSuccess: () => void qc.invalidateQueries({ queryKey: SCHEDULES_KEY }),
  })
}
