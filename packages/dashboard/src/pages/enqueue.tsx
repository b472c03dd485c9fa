import type { EnqueueOptions } from '@conveyor/client'
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query'
import { type FormEvent, useEffect, useState } from 'react'
import { Link, useNavigate, useSearchParams } from 'react-router'
import { client, errorMessage } from '../api.ts'
import { refreshAfterChange } from '../job-actions.ts'
import { EMPTY_FORM, type EnqueueForm as Form, toEnqueue } from '../lib/enqueue-form.ts'
import { useSession } from '../session.tsx'

/** Enqueue a job by hand; `?from=ID` starts from that job's settings ("run again with edited payload"). */
export function EnqueuePage() {
  const { can } = useSession()
  const [params] = useSearchParams()
  const from = params.get('from')
  const navigate = useNavigate()
  const qc = useQueryClient()
  const source = useQuery({ queryKey: ['job', from], queryFn: () => client.getJob(from!), enabled: from !== null })
  const [form, setForm] = useState<Form>(EMPTY_FORM)
  const [errors, setErrors] = useState<Partial<Record<keyof Form, string>>>({})
  const sourceJob = source.data?.job
  useEffect(() => {
    if (!sourceJob) return
    setForm({
      type: sourceJob.type,
      queue: sourceJob.queue,
      name: sourceJob.name ?? '',
      payload: sourceJob.payload === undefined ? '' : JSON.stringify(sourceJob.payload, null, 2),
      priority: String(sourceJob.priority),
      delaySeconds: '',
      maxAttempts: String(sourceJob.maxAttempts),
      timeoutSeconds: sourceJob.timeoutMs === null ? '' : String(sourceJob.timeoutMs / 1000),
      owner: sourceJob.owner ?? '',
      idempotencyKey: '',
      metadata: Object.keys(sourceJob.metadata).length ? JSON.stringify(sourceJob.metadata, null, 2) : '',
    })
  }, [sourceJob])
  const enqueue = useMutation({
    mutationFn: (o: EnqueueOptions) => client.enqueue(o),
    onSuccess: ({ job }) => {
      refreshAfterChange(qc)
      void navigate(`/jobs/${job.id}`)
    },
  })
  if (!can.act) return <p className="card">This key may look but not enqueue.</p>

  const submit = (e: FormEvent) => {
    e.preventDefault()
    const { options, errors } = toEnqueue(form)
    setErrors(errors)
    if (options) enqueue.mutate(options)
  }
  const field = (k: keyof Form, label: string, props: React.InputHTMLAttributes<HTMLInputElement> = {}) => (
    <label className="flex flex-col gap-1 text-sm font-medium">
      {label}
      <input className="input" value={form[k]} onChange={(e) => setForm({ ...form, [k]: e.target.value })} aria-invalid={errors[k] ? true : undefined} {...props} />
      {errors[k] && <span className="text-xs text-rose-700 dark:text-rose-400">{errors[k]}</span>}
    </label>
  )
  const area = (k: 'payload' | 'metadata', label: string) => (
    <label className="flex flex-col gap-1 text-sm font-medium">
      {label}
      <textarea
        className="input min-h-40 font-mono text-xs"
        spellCheck={false}
        value={form[k]}
        onChange={(e) => setForm({ ...form, [k]: e.target.value })}
        aria-invalid={errors[k] ? true : undefined}
      />
      {errors[k] && <span className="text-xs text-rose-700 dark:text-rose-400">{errors[k]}</span>}
    </label>
  )

  return (
    <form className="max-w-3xl space-y-4" onSubmit={submit}>
      <h1 className="text-xl font-semibold">{from ? 'Run again with edited payload' : 'Enqueue a job'}</h1>
      {from && (
        <p className="text-sm text-slate-600 dark:text-slate-300">
          A new job, starting from the settings of{' '}
          <Link className="link font-mono text-xs" to={`/jobs/${from}`}>
            {from}
          </Link>
          . The original is left as it is.
        </p>
      )}
      <div className="card grid gap-3 sm:grid-cols-2">
        {field('type', 'Type (the handler) *', { required: true, placeholder: 'e.g. scan' })}
        {field('queue', 'Queue', { placeholder: 'default' })}
        {field('name', 'Name', { placeholder: 'optional label' })}
        {field('owner', 'Owner', { placeholder: 'user or tenant' })}
        {field('priority', 'Priority', { inputMode: 'numeric', placeholder: '0 (higher runs first)' })}
        {field('delaySeconds', 'Delay (seconds)', { inputMode: 'decimal', placeholder: 'run now' })}
        {field('maxAttempts', 'Max attempts', { inputMode: 'numeric', placeholder: '3' })}
        {field('timeoutSeconds', 'Timeout (seconds)', { inputMode: 'decimal', placeholder: 'none' })}
        {field('idempotencyKey', 'Idempotency key', { placeholder: 'optional' })}
      </div>
      <div className="card grid gap-3">
        {area('payload', 'Payload (JSON)')}
        {area('metadata', 'Metadata (JSON object, optional)')}
      </div>
      {enqueue.isError && (
        <p role="alert" className="text-sm text-rose-700">
          {errorMessage(enqueue.error)}
        </p>
      )}
      <button type="submit" className="btn-primary" disabled={enqueue.isPending}>
        {enqueue.isPending ? 'Enqueuing…' : 'Enqueue'}
      </button>
    </form>
  )
}
