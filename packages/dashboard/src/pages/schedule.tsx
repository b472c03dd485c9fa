import type { Job, JobStatus, ScheduleRequest } from '@conveyor/client'
import { isConveyorHttpError } from '@conveyor/client'
import type { ApiSchedule } from '@conveyor/contracts'
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query'
import { useEffect, useRef, useState } from 'react'
import { Link, useNavigate, useParams } from 'react-router'
import { client, errorMessage } from '../api.ts'
import { ConfirmDialog } from '../components/confirm-dialog.tsx'
import { Field } from '../components/field.tsx'
import { JsonView } from '../components/json-view.tsx'
import { ScheduleForm } from '../components/schedule-form.tsx'
import { StatusBadge } from '../components/status-badge.tsx'
import { Absolute, Duration, InZone, When } from '../components/time.tsx'
import { describeSchedule } from '../lib/cron-words.ts'
import { STATUSES } from '../lib/filters.ts'
import { EMPTY_SCHEDULE_FORM, scheduleToForm } from '../lib/schedule-form.ts'
import { useLive } from '../live.tsx'
import { usePrefs } from '../prefs.tsx'
import { SCHEDULES_KEY, scheduleKey, useRunNow, useSetEnabled } from '../schedule-actions.ts'
import { useSession } from '../session.tsx'
import { EmptyRow, ErrorNote } from '../components/notes.tsx'

type Run = NonNullable<ApiSchedule['recentRuns']>[number]

const OUTCOME: Record<Run['outcome'], string> = {
  enqueued: '⏲ on time',
  caught_up: '↻ caught up after downtime',
  skipped_overlap: '⤼ skipped (previous run still going)',
  triggered: '▸ run now',
}

/** The viewer's zone as the time zone switch chose it: its IANA name, or UTC. */
function viewerZone(tz: 'local' | 'UTC'): string {
  return tz === 'UTC' ? 'UTC' : Intl.DateTimeFormat().resolvedOptions().timeZone
}

/** New schedule: the form, then the schedule's page. */
export function NewSchedulePage() {
  const { can } = useSession()
  const navigate = useNavigate()
  const qc = useQueryClient()
  const create = useMutation({
    mutationFn: (body: ScheduleRequest) => client.createSchedule(body),
    onSuccess: ({ schedule }) => {
      void qc.invalidateQueries({ queryKey: SCHEDULES_KEY })
      void navigate(`/schedules/${schedule.id}`)
    },
  })
  if (!can.admin) return <p className="card">Only an admin key may create schedules.</p>
  // The viewer's own zone is the likeliest one meant; UTC when the browser does not say.
  const timezone = Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC'
  return (
    <div className="max-w-3xl space-y-4">
      <nav aria-label="breadcrumb" className="text-sm">
        <Link className="link" to="/schedules">
          Schedules
        </Link>{' '}
        / new
      </nav>
      <h1 className="text-xl font-semibold">New schedule</h1>
      <ScheduleForm
        initial={{ ...EMPTY_SCHEDULE_FORM, timezone }}
        submitLabel="Create schedule"
        busy={create.isPending}
        error={create.error}
        onSubmit={(body) => create.mutate(body)}
        onCancel={() => void navigate('/schedules')}
      />
    </div>
  )
}

export function SchedulePage() {
  const { id = '' } = useParams()
  const q = useQuery({
    queryKey: scheduleKey(id),
    queryFn: () => client.getSchedule(id),
    refetchInterval: 30_000,
    retry: (n, err) => n < 2 && !isConveyorHttpError(err, 'schedule_not_found'),
  })
  if (q.isPending) return <p className="text-slate-500">Loading…</p>
  if (q.isError)
    return (
      <div className="card">
        <h1 className="text-lg font-semibold">{isConveyorHttpError(q.error, 'schedule_not_found') ? 'No such schedule' : 'Could not load the schedule'}</h1>
        <p className="mt-2 text-sm">
          {isConveyorHttpError(q.error, 'schedule_not_found') ? `Schedule ${id} does not exist (or was removed).` : errorMessage(q.error)}{' '}
          <Link className="link" to="/schedules">
            All schedules
          </Link>
        </p>
      </div>
    )
  return <ScheduleView schedule={q.data.schedule} refetch={() => void q.refetch()} />
}

function ScheduleView({ schedule: s, refetch }: { schedule: ApiSchedule; refetch(): void }) {
  const { can } = useSession()
  const { tz } = usePrefs()
  const live = useLive()
  const navigate = useNavigate()
  const qc = useQueryClient()
  const runNow = useRunNow()
  const setEnabled = useSetEnabled()
  const [ran, setRan] = useState<Job | null>(null)
  const [editing, setEditing] = useState(false)
  const [confirmDelete, setConfirmDelete] = useState(false)
  const update = useMutation({
    mutationFn: (body: ScheduleRequest) => client.updateSchedule(s.id, body),
    onSuccess: ({ schedule }) => {
      qc.setQueryData(scheduleKey(s.id), { schedule: { ...schedule, recentRuns: s.recentRuns } })
      void qc.invalidateQueries({ queryKey: SCHEDULES_KEY })
      setEditing(false)
    },
  })
  const remove = useMutation({
    mutationFn: () => client.removeSchedule(s.id),
    onSuccess: () => {
      qc.removeQueries({ queryKey: scheduleKey(s.id) })
      void qc.invalidateQueries({ queryKey: SCHEDULES_KEY })
      void navigate('/schedules', { replace: true })
    },
  })

  // A new run (a pending job of this type) or a change to a recent run's job: read the runs again.
  const watched = useRef({ jobs: new Set<string | null>(), type: s.type, refetch })
  watched.current = { jobs: new Set((s.recentRuns ?? []).map((r) => r.jobId)), type: s.type, refetch }
  useEffect(
    () =>
      live.onBatch((batch) => {
        const w = watched.current
        for (const e of batch.values())
          if (w.jobs.has(e.id) || (e.type === w.type && e.status === 'pending')) return w.refetch()
      }),
    [live],
  )

  const zone = viewerZone(tz)
  const sameZone = zone === s.timezone
  const error = runNow.error ?? setEnabled.error ?? remove.error

  return (
    <div className="space-y-4">
      <nav aria-label="breadcrumb" className="text-sm">
        <Link className="link" to="/schedules">
          Schedules
        </Link>{' '}
        / {s.name}
      </nav>
      <header className="flex flex-wrap items-center gap-3">
        <h1 className="break-all text-xl font-semibold" data-testid="schedule-name">
          {s.name}
        </h1>
        {s.enabled ? <span className="text-sm">● enabled</span> : <span className="text-sm text-slate-500">○ disabled</span>}
        {can.act && (
          <div className="ml-auto flex flex-wrap gap-2" role="group" aria-label="schedule actions">
            <button type="button" className="btn-primary" disabled={runNow.isPending} onClick={() => runNow.mutate(s.id, { onSuccess: setRan })}>
              Run now
            </button>
            {can.admin && (
              <>
                <button type="button" className="btn" disabled={setEnabled.isPending} onClick={() => setEnabled.mutate({ id: s.id, enabled: !s.enabled })}>
                  {s.enabled ? 'Disable' : 'Enable'}
                </button>
                <button type="button" className="btn" onClick={() => setEditing(true)} disabled={editing}>
                  Edit
                </button>
                <button type="button" className="btn text-rose-700 dark:text-rose-300" onClick={() => setConfirmDelete(true)}>
                  Delete
                </button>
              </>
            )}
          </div>
        )}
      </header>
      <p className="text-lg" data-testid="schedule-words">
        {describeSchedule(s.cron, s.timezone)} <code className="ml-2 text-sm text-slate-500">{s.cron}</code>
      </p>
      <ErrorNote error={error} />
      {ran && (
        <p role="status" className="text-sm">
          ✓ Enqueued{' '}
          <Link className="link font-mono text-xs" to={`/jobs/${ran.id}`}>
            job {ran.id}
          </Link>
          .
        </p>
      )}

      {editing ? (
        <section aria-label="edit schedule" className="max-w-3xl">
          <h2 className="mb-2 font-semibold">Edit</h2>
          <ScheduleForm
            initial={scheduleToForm(s)}
            submitLabel="Save"
            busy={update.isPending}
            error={update.error}
            onSubmit={(body) => update.mutate(body)}
            onCancel={() => setEditing(false)}
          />
        </section>
      ) : (
        <div className="grid gap-4 lg:grid-cols-2">
          <section className="card overflow-x-auto" aria-labelledby="next-runs-title">
            <h2 id="next-runs-title" className="mb-2 font-semibold">
              Next runs
            </h2>
            {s.nextRuns.length === 0 ? (
              <p className="text-sm text-slate-500">None: the schedule is disabled.</p>
            ) : (
              <table className="w-full text-sm" data-testid="next-runs">
                <thead>
                  <tr>
                    <th className="th">in {s.timezone}</th>
                    {!sameZone && <th className="th">your time ({zone})</th>}
                    <th className="th">in</th>
                  </tr>
                </thead>
                <tbody>
                  {s.nextRuns.map((at) => (
                    <tr key={at} className="border-t border-slate-100 dark:border-slate-800">
                      <td className="td" data-zone="schedule">
                        <InZone at={at} zone={s.timezone} />
                      </td>
                      {!sameZone && (
                        <td className="td" data-zone="viewer">
                          <Absolute at={at} />
                        </td>
                      )}
                      <td className="td text-slate-500">
                        <When at={at} />
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            )}
          </section>
          <section className="card" aria-label="details">
            <h2 className="mb-2 font-semibold">The job each run enqueues</h2>
            <dl className="grid grid-cols-[auto_1fr] gap-x-4 gap-y-1 text-sm">
              <Field name="type">
                <Link className="link font-mono text-xs" to={`/jobs?type=${encodeURIComponent(s.type)}`}>
                  {s.type}
                </Link>
              </Field>
              <Field name="queue">{s.queue}</Field>
              <Field name="priority">{s.priority}</Field>
              <Field name="owner">{s.owner ?? '—'}</Field>
              <Field name="max attempts">{s.maxAttempts ?? 'default'}</Field>
              <Field name="timeout">{s.timeoutMs === null ? 'none' : <Duration ms={s.timeoutMs} />}</Field>
              <Field name="overlap">{s.overlap === 'skip' ? 'skip a tick while the last run is pending or running' : 'allow: every tick runs'}</Field>
              <Field name="after downtime">{s.catchUp === 'latest' ? 'run the most recent missed tick once' : 'missed ticks are not run'}</Field>
              <Field name="last timetable tick">
                <When at={s.lastRunAt} />
              </Field>
              <Field name="created">
                <Absolute at={s.createdAt} />
              </Field>
              <Field name="changed">
                <When at={s.updatedAt} />
              </Field>
            </dl>
          </section>
        </div>
      )}

      <section className="card overflow-x-auto" aria-labelledby="runs-title">
        <h2 id="runs-title" className="mb-2 font-semibold">
          Recent runs
        </h2>
        <table className="w-full text-sm" data-testid="recent-runs">
          <thead>
            <tr>
              <th className="th">tick</th>
              <th className="th">how</th>
              <th className="th">job</th>
              <th className="th">outcome</th>
              <th className="th">started</th>
              <th className="th">duration</th>
            </tr>
          </thead>
          <tbody>
            {(s.recentRuns ?? []).map((r) => (
              <tr key={`${r.tickAt}-${r.outcome}`} className="border-t border-slate-100 dark:border-slate-800" data-job-id={r.jobId ?? ''}>
                <td className="td">
                  <InZone at={r.tickAt} zone={s.timezone} />
                  {!sameZone && (
                    <div className="text-xs text-slate-500">
                      <Absolute at={r.tickAt} />
                    </div>
                  )}
                </td>
                <td className="td whitespace-nowrap">{OUTCOME[r.outcome]}</td>
                <td className="td">
                  {r.jobId ? (
                    <Link className="link font-mono text-xs" to={`/jobs/${r.jobId}`}>
                      {r.jobId.slice(0, 8)}…
                    </Link>
                  ) : (
                    '—'
                  )}
                </td>
                <td className="td">
                  {isStatus(r.jobStatus) ? <StatusBadge status={r.jobStatus} /> : <span className="text-slate-500">{r.jobId ? 'deleted' : '—'}</span>}
                </td>
                <td className="td">
                  <When at={r.jobStartedAt} />
                </td>
                <td className="td">
                  <Duration ms={r.jobStartedAt && r.jobCompletedAt ? Date.parse(r.jobCompletedAt) - Date.parse(r.jobStartedAt) : null} />
                </td>
              </tr>
            ))}
            {(s.recentRuns ?? []).length === 0 && (
              <EmptyRow colSpan={6}>
                No runs yet.
              </EmptyRow>
            )}
          </tbody>
        </table>
      </section>

      <div className="grid gap-4 lg:grid-cols-2">
        <JsonView title="Payload" value={s.payload} />
        {Object.keys(s.metadata).length > 0 && <JsonView title="Metadata" value={s.metadata} />}
      </div>

      {confirmDelete && (
        <ConfirmDialog
          title={`Delete the schedule “${s.name}”?`}
          confirmLabel="Delete schedule"
          cancelLabel="Keep it"
          destructive
          busy={remove.isPending}
          onConfirm={() => remove.mutate()}
          onCancel={() => setConfirmDelete(false)}
        >
          No more runs will be enqueued. The jobs it made stay.
        </ConfirmDialog>
      )}
    </div>
  )
}

const isStatus = (s: string | null): s is JobStatus => s !== null && (STATUSES as readonly string[]).includes(s)
