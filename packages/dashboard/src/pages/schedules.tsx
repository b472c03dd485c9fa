import type { Job } from '@conveyor/client'
import { useQuery } from '@tanstack/react-query'
import { useState } from 'react'
import { Link } from 'react-router'
import { client } from '../api.ts'
import { Absolute, InZone, When } from '../components/time.tsx'
import { describeCron } from '../lib/cron-words.ts'
import { SCHEDULES_KEY, useRunNow, useSetEnabled } from '../schedule-actions.ts'
import { useSession } from '../session.tsx'
import { EmptyRow, ErrorNote } from '../components/notes.tsx'

/** Every schedule: in words, its next run in its own zone and the viewer's, its last run; run now, enable, disable. */
export function SchedulesPage() {
  const { can } = useSession()
  const list = useQuery({ queryKey: SCHEDULES_KEY, queryFn: () => client.listSchedules(), refetchInterval: 30_000 })
  const runNow = useRunNow()
  const setEnabled = useSetEnabled()
  const [ran, setRan] = useState<{ schedule: string; job: Job } | null>(null)
  const schedules = list.data?.schedules ?? []
  const error = list.error ?? runNow.error ?? setEnabled.error

  return (
    <div className="space-y-4">
      <div className="flex flex-wrap items-center gap-3">
        <h1 className="text-xl font-semibold">Schedules</h1>
        {can.admin && (
          <Link className="btn-primary ml-auto" to="/schedules/new">
            New schedule
          </Link>
        )}
      </div>
      <ErrorNote error={error} />
      {ran && (
        <p role="status" className="text-sm">
          ✓ {ran.schedule} enqueued{' '}
          <Link className="link font-mono text-xs" to={`/jobs/${ran.job.id}`}>
            job {ran.job.id}
          </Link>
          .
        </p>
      )}
      <div className="card overflow-x-auto p-0">
        <table className="w-full text-sm">
          <thead>
            <tr>
              <th className="th">schedule</th>
              <th className="th">when</th>
              <th className="th">next run</th>
              <th className="th">last run</th>
              <th className="th">job</th>
              <th className="th">state</th>
              {can.act && <th className="th">actions</th>}
            </tr>
          </thead>
          <tbody>
            {schedules.map((s) => (
              <tr key={s.id} className="border-t border-slate-100 align-top dark:border-slate-800" data-testid={`schedule-row-${s.name}`}>
                <td className="td font-medium">
                  <Link className="link" to={`/schedules/${s.id}`}>
                    {s.name}
                  </Link>
                </td>
                <td className="td">
                  <div data-testid="schedule-words">
                    {describeCron(s.cron)}, {s.timezone}
                  </div>
                  <code className="text-xs text-slate-500">{s.cron}</code>
                </td>
                <td className="td">
                  {s.nextRunAt ? (
                    <>
                      <div>
                        <InZone at={s.nextRunAt} zone={s.timezone} />
                      </div>
                      <div className="text-xs text-slate-500">
                        <Absolute at={s.nextRunAt} /> · <When at={s.nextRunAt} />
                      </div>
                    </>
                  ) : (
                    <span className="text-slate-500">— (disabled)</span>
                  )}
                </td>
                <td className="td">
                  <When at={s.lastRunAt} />
                </td>
                <td className="td">
                  <span className="font-mono text-xs">{s.type}</span>
                  <div className="text-xs text-slate-500">queue {s.queue}</div>
                </td>
                <td className="td whitespace-nowrap">{s.enabled ? <span>● enabled</span> : <span className="text-slate-500">○ disabled</span>}</td>
                {can.act && (
                  <td className="td">
                    <div className="flex flex-wrap gap-1">
                      <button
                        type="button"
                        className="btn btn-sm"
                        disabled={runNow.isPending}
                        onClick={() => runNow.mutate(s.id, { onSuccess: (job) => setRan({ schedule: s.name, job }) })}
                      >
                        Run now
                      </button>
                      {can.admin && (
                        <button type="button" className="btn btn-sm" disabled={setEnabled.isPending} onClick={() => setEnabled.mutate({ id: s.id, enabled: !s.enabled })}>
                          {s.enabled ? 'Disable' : 'Enable'}
                        </button>
                      )}
                    </div>
                  </td>
                )}
              </tr>
            ))}
            {list.data && schedules.length === 0 && (
              <EmptyRow colSpan={7}>
                No schedules yet.{can.admin ? ' Create one, or declare them in code with conveyor.schedule({ … }).' : ''}
              </EmptyRow>
            )}
          </tbody>
        </table>
      </div>
      <p className="text-xs text-slate-500">
        Each tick enqueues exactly one job, whatever the number of servers. Times are shown in the schedule’s own zone, and below in yours.
      </p>
    </div>
  )
}
