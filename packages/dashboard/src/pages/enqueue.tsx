import type { EnqueueOptions } from '@conveyor/client'
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query'
import { type FormEvent, useEffect, useState } from 'react'
import { Link, useNavigate, useSearchParams } from 'react-router'
import { client, errorMessage } from '../api.ts'
import { refreshAfterChange } from '../job-actions.ts'
import { useSession } from '../session.tsx'

interface Form {
  type: string
  queue: string
  name: string
  payload: string
  priority: string
  delaySeconds: string
  maxAttempts: string
  timeoutSeconds: string
  owner: string
  idempotencyKey: string
  metadata: string
}

const EMPTY: Form = { type: '', queue: '', name: '', payload: '{\n  \n}', priority: '', delaySeconds: '', maxAttempts: '', timeoutSeconds: '', owner: '', idempotencyKey: '', metadata: '' }

/** Parses the form into enqueue options; a message per bad field. */
export function toEnqueue(f: Form): { options?: EnqueueOptions; errors: Partial<Record<keyof Form, string>> } {
  const errors: Partial<Record<keyof Form, string>> = {}
  const json = (k: 'payload' | 'metadata') => {
    if (f[k].trim() === '') return undefined
    try {
      return JSON.parse(f[k]) as unknown
    } catch (err) {
      errors[k] = `not JSON: ${(err as Error).message}`
      return undefined
    }
  }
  const int = (k: keyof Form, min: number) => {
    if (f[k].trim() === '') return undefined
    const n = Number(f[k])
    if (!Number.isInteger(n) || n < min) errors[k] = `a whole number, at least ${min}`
    return n
  }
  if (f.type.trim() === '') errors.type = 'required'
  const payload = json('payload')
  const metadata = json('metadata')
  if (metadata !== undefined && (metadata === null || typeof metadata !== 'object' || Array.isArray(metadata))) errors.metadata = 'a JSON object'
  const priority = int('priority', -1_000_000)
  const delay = f.delaySeconds.trim() === '' ? undefined : Number(f.delaySeconds)
  if (delay !== undefined && !(delay >= 0)) errors.delaySeconds = 'seconds, 0 or more'
  const maxAttempts = int('maxAttempts', 1)
  const timeout = f.timeoutSeconds.trim() === '' ? undefined : Number(f.timeoutSeconds)
  if (timeout !== undefined && !(timeout > 0)) errors.timeoutSeconds = 'seconds, more than 0'
  if (Object.keys(errors).length > 0) return { errors }
  const options: EnqueueOptions = {
    type: f.type.trim(),
    ...(payload !== undefined ? { payload } : {}),
    ...(f.queue.trim() ? { queue: f.queue.trim() } : {}),
    ...(f.name.trim() ? { name: f.name.trim() } : {}),
    ...(priority !== undefined ? { priority } : {}),
    ...(delay !== undefined && delay > 0 ? { delayMs: Math.round(delay * 1000) } : {}),
    ...(maxAttempts !== undefined ? { maxAttempts } : {}),
    ...(timeout !== undefined ? { timeoutMs: Math.round(timeout * 1000) } : {}),
    ...(f.owner.trim() ? { owner: f.owner.trim() } : {}),
    ...(f.idempotencyKey.trim() ? { idempotencyKey: f.idempotencyKey.trim() } : {}),
    ...(metadata !== undefined ? { metadata: metadata as Record<string, unknown> } : {}),
  }
  return { options, errors }
}

/** Enqueue a job by hand; `?from=ID` starts from that job's settings ("run again with edited payload"). */
export function EnqueuePage() {
  const { can } = useSession()
  const [params] = useSearchParams()
  const from = params.get('from')
  const navigate = useNavigate()
  const qc = useQueryClient()
  const source = useQuery({ queryKey: ['job', from], queryFn: () => client.getJob(from!), enabled: from !== null })
  const [form, setForm] = useState<Form>(EMPTY)
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
