import type { Job } from '@conveyor/client'
import type { AttemptLogEntry } from '@conveyor/contracts'
import { isConveyorHttpError } from '@conveyor/client'
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query'
import { useState } from 'react'
import { Link, useNavigate, useParams } from 'react-router'
import { client, errorMessage } from '../api.ts'
import { ConfirmDialog } from '../components/confirm-dialog.tsx'
import { Field } from '../components/field.tsx'
import { CopyButton, JsonView } from '../components/json-view.tsx'
import { ProgressBar } from '../components/progress-bar.tsx'
import { StatusBadge } from '../components/status-badge.tsx'
import { Absolute, Duration, When } from '../components/time.tsx'
import { canCancel, canDelete, canRetry, refreshAfterChange, useJobAction } from '../job-actions.ts'
import { jobDurationMs } from '../lib/format.ts'
import { useNow } from '../prefs.tsx'
import { useSession } from '../session.tsx'
import { useShortcuts } from '../shortcuts.ts'

export function JobPage() {
  const { id = '' } = useParams()
  const q = useQuery({ queryKey: ['job', id], queryFn: () => client.getJob(id), retry: (n, err) => n < 2 && !isConveyorHttpError(err, 'job_not_found') })
  if (q.isPending) return <p className="text-slate-500">Loading…</p>
  if (q.isError)
    return (
      <div className="card">
        <h1 className="text-lg font-semibold">{isConveyorHttpError(q.error, 'job_not_found') ? 'No such job' : 'Could not load the job'}</h1>
        <p className="mt-2 text-sm">
          {isConveyorHttpError(q.error, 'job_not_found') ? `Job ${id} does not exist (or was deleted).` : errorMessage(q.error)}{' '}
          <Link className="link" to="/jobs">
            All jobs
          </Link>
        </p>
      </div>
    )
  return <JobView job={q.data.job} />
}

function JobView({ job }: { job: Job }) {
  const { can } = useSession()
  const now = useNow(1000)
  const navigate = useNavigate()
  const qc = useQueryClient()
  const action = useJobAction()
  const [confirmDelete, setConfirmDelete] = useState(false)
  const remove = useMutation({
    mutationFn: () => client.remove(job.id),
    onSuccess: () => {
      qc.removeQueries({ queryKey: ['job', job.id] })
      refreshAfterChange(qc)
      void navigate('/jobs', { replace: true })
    },
  })
  useShortcuts({
    r: () => {
      if (can.act && canRetry(job.status)) action.mutate({ id: job.id, action: 'retry' })
    },
  })
  const scheduled = job.status === 'pending' && Date.parse(job.runAt) > now
  const error = action.error ?? remove.error

  return (
    <div className="space-y-4">
      <nav aria-label="breadcrumb" className="text-sm">
        <Link className="link" to="/jobs">
          Jobs
        </Link>{' '}
        / <span className="font-mono text-xs">{job.id}</span> <CopyButton text={job.id} label="Copy id" />
      </nav>

      <header className="flex flex-wrap items-center gap-3">
        <StatusBadge status={job.status} scheduled={scheduled} />
        <h1 className="break-all text-xl font-semibold" data-testid="job-title">
          {job.type}
        </h1>
        {job.name && <span className="break-all text-slate-600 dark:text-slate-300" data-testid="job-name">{job.name}</span>}
        {job.cancelRequested && job.status === 'running' && <span className="text-sm text-amber-700">⊘ cancel requested</span>}
        {can.act && (
          <div className="ml-auto flex flex-wrap gap-2" role="group" aria-label="job actions">
            {canCancel(job.status) && (
              <button type="button" className="btn" disabled={action.isPending} onClick={() => action.mutate({ id: job.id, action: 'cancel' })}>
                Cancel
              </button>
            )}
            {canRetry(job.status) && (
              <button type="button" className="btn-primary" disabled={action.isPending} onClick={() => action.mutate({ id: job.id, action: 'retry' })}>
                Retry
              </button>
            )}
            <Link className="btn" to={`/enqueue?from=${job.id}`}>
              Run again with edited payload
            </Link>
            {canDelete(job.status) && (
              <button type="button" className="btn text-rose-700 dark:text-rose-300" onClick={() => setConfirmDelete(true)}>
                Delete
              </button>
            )}
          </div>
        )}
      </header>
      {error && (
        <p role="alert" className="text-sm text-rose-700">
          {errorMessage(error)}
        </p>
      )}

      <section className="card space-y-2" aria-label="progress">
        <ProgressBar value={job.progress} status={job.status} label="job progress" />
        <p className="text-sm text-slate-600 dark:text-slate-300" data-testid="progress-message">
          {job.progressMessage ?? <span className="text-slate-400">no progress message</span>}
        </p>
      </section>

      {job.lastError && (
        <section className="card border-rose-300 dark:border-rose-800" aria-label="last error">
          <h2 className="mb-1 text-sm font-semibold">
            <span aria-hidden="true">✕ </span>Last error <span className="font-normal text-slate-500">· <When at={job.lastError.at} /></span>
          </h2>
          <p className="whitespace-pre-wrap break-words font-mono text-sm" data-testid="last-error">
            {job.lastError.name}: {job.lastError.message}
          </p>
          {job.lastError.stack && (
            <details className="mt-2">
              <summary className="cursor-pointer text-sm">Stack</summary>
              <pre className="mt-1 overflow-x-auto whitespace-pre text-xs">{job.lastError.stack}</pre>
            </details>
          )}
        </section>
      )}

      <div className="grid gap-4 lg:grid-cols-2">
        <section className="card" aria-label="details">
          <h2 className="mb-2 text-sm font-semibold">Details</h2>
          <dl className="grid grid-cols-[auto_1fr] gap-x-4 gap-y-1 text-sm">
            <Field name="queue">
              <Link className="link" to={`/jobs?queue=${encodeURIComponent(job.queue)}`}>
                {job.queue}
              </Link>
            </Field>
            <Field name="owner">{job.owner ?? '—'}</Field>
            <Field name="priority">{job.priority}</Field>
            <Field name="attempts">
              {job.attempts} of {job.maxAttempts}
            </Field>
            <Field name="timeout">{job.timeoutMs === null ? 'none' : <Duration ms={job.timeoutMs} />}</Field>
            <Field name="backoff">{job.backoff ? `${job.backoff.type}, ${job.backoff.delayMs} ms` : 'default'}</Field>
            <Field name="source">{job.source}</Field>
            {typeof job.metadata.scheduleId === 'string' && (
              <Field name="schedule">
                <Link className="link" to={`/schedules/${encodeURIComponent(job.metadata.scheduleId)}`} data-testid="job-schedule">
                  {typeof job.metadata.scheduleName === 'string' ? job.metadata.scheduleName : job.metadata.scheduleId}
                </Link>
                {typeof job.metadata.scheduledFor === 'string' && (
                  <span className="text-slate-500">
                    {' '}
                    · tick <Absolute at={job.metadata.scheduledFor} />
                  </span>
                )}
              </Field>
            )}
            <Field name="idempotency key">{job.idempotencyKey ?? '—'}</Field>
            <Field name="worker">{job.lockedBy ?? '—'}</Field>
            <Field name="run at">
              <Absolute at={job.runAt} />
            </Field>
            <Field name="created">
              <Absolute at={job.createdAt} />
            </Field>
            <Field name="started">
              <Absolute at={job.startedAt} />
            </Field>
            <Field name="finished">
              <Absolute at={job.completedAt} />
            </Field>
            <Field name="duration">
              <Duration ms={jobDurationMs(job, now)} />
            </Field>
            <Field name="updated">
              <When at={job.updatedAt} />
            </Field>
          </dl>
        </section>
        <Timeline job={job} now={now} />
      </div>

      <div className="grid gap-4 lg:grid-cols-2">
        <JsonView title="Payload" value={job.payload} />
        <JsonView title="Result" value={job.result} />
      </div>
      {Object.keys(job.metadata).length > 0 && <JsonView title="Metadata" value={job.metadata} />}

      {confirmDelete && (
        <ConfirmDialog
          title="Delete this job?"
          confirmLabel="Delete"
          destructive
          busy={remove.isPending}
          onConfirm={() => remove.mutate()}
          onCancel={() => setConfirmDelete(false)}
        >
          The job and its attempt history are removed for good.
        </ConfirmDialog>
      )}
    </div>
  )
}

const OUTCOME: Record<AttemptLogEntry['outcome'], string> = {
  completed: '✓ completed',
  failed: '✕ failed',
  timeout: '⏱ timed out',
  cancelled: '⊘ cancelled',
  lease_expired: '⌛ lease expired (worker lost)',
  released: '↩ released at shutdown',
}

/** The job's history: created, each attempt (worker, start, end, duration, error with stack), and where it is now. */
function Timeline({ job, now }: { job: Job; now: number }) {
  const log = job.attemptLog ?? []
  return (
    <section className="card" aria-label="timeline">
      <h2 className="mb-2 text-sm font-semibold">Timeline</h2>
      <ol className="space-y-3 border-l border-slate-200 pl-4 text-sm dark:border-slate-700">
        <li>
          <div className="font-medium">Enqueued</div>
          <div className="text-xs text-slate-500">
            <Absolute at={job.createdAt} /> · source {job.source}
          </div>
        </li>
        {log.map((a) => (
          <li key={`${a.attempt}-${a.endedAt}`} data-testid="attempt">
            <div className="font-medium">
              Attempt {a.attempt} · {OUTCOME[a.outcome]}
            </div>
            <div className="text-xs text-slate-500">
              {a.workerId ? <span className="font-mono">{a.workerId}</span> : 'no worker'} · <Absolute at={a.startedAt} /> → <Absolute at={a.endedAt} /> ·{' '}
              <Duration ms={a.startedAt ? Date.parse(a.endedAt) - Date.parse(a.startedAt) : null} />
            </div>
            {a.error && (
              <details className="mt-1">
                <summary className="cursor-pointer break-words">
                  {a.error.name}: {a.error.message}
                </summary>
                {a.error.stack && <pre className="mt-1 overflow-x-auto whitespace-pre text-xs">{a.error.stack}</pre>}
              </details>
            )}
          </li>
        ))}
        {job.status === 'running' && (
          <li>
            <div className="font-medium">Attempt {job.attempts} · ▶ running</div>
            <div className="text-xs text-slate-500">
              {job.lockedBy && <span className="font-mono">{job.lockedBy}</span>} · since <Absolute at={job.startedAt} /> ·{' '}
              <Duration ms={jobDurationMs(job, now)} />
            </div>
          </li>
        )}
        {job.status === 'pending' && (
          <li>
            <div className="font-medium">◷ Waiting{log.length > 0 ? ' to be retried' : ''}</div>
            <div className="text-xs text-slate-500">
              not before <Absolute at={job.runAt} />
            </div>
          </li>
        )}
        {(job.status === 'completed' || job.status === 'failed' || job.status === 'cancelled') && (
          <li>
            <div className="font-medium">
              <StatusBadge status={job.status} />
            </div>
            <div className="text-xs text-slate-500">
              <Absolute at={job.completedAt} />
            </div>
          </li>
        )}
      </ol>
    </section>
  )
}
