import type { ScheduleRequest } from '@conveyor/client'
import { type FormEvent, type InputHTMLAttributes, useMemo, useState } from 'react'
import { describeSchedule } from '../lib/cron-words.ts'
import { formToSchedule, knownTimeZones, type ScheduleForm as Form, type ScheduleFormErrors } from '../lib/schedule-form.ts'
import { FormFooter } from './notes.tsx'

/**
 * Create or edit a schedule: name, cron (read back in words as it is typed), time zone, the job it
 * enqueues, overlap and catch-up. `onSubmit` gets the parsed body; the server's refusal shows as `error`.
 */
export function ScheduleForm({
  initial,
  submitLabel,
  busy,
  error,
  onSubmit,
  onCancel,
}: {
  initial: Form
  submitLabel: string
  busy: boolean
  error: unknown
  onSubmit(body: ScheduleRequest): void
  onCancel?(): void
}) {
  const [form, setForm] = useState<Form>(initial)
  const [errors, setErrors] = useState<ScheduleFormErrors>({})
  const zones = useMemo(knownTimeZones, [])
  const set = <K extends keyof Form>(k: K, v: Form[K]) => setForm((f) => ({ ...f, [k]: v }))
  const submit = (e: FormEvent) => {
    e.preventDefault()
    const { body, errors } = formToSchedule(form)
    setErrors(errors)
    if (body) onSubmit(body)
  }
  const problem = (k: keyof Form) => errors[k] && <span className="text-xs text-rose-700 dark:text-rose-400">{errors[k]}</span>
  const field = (k: 'name' | 'cron' | 'timezone' | 'type' | 'queue' | 'priority' | 'owner', label: string, props: InputHTMLAttributes<HTMLInputElement> = {}) => (
    <label className="flex flex-col gap-1 text-sm font-medium">
      {label}
      <input className="input" value={form[k]} onChange={(e) => set(k, e.target.value)} aria-invalid={errors[k] ? true : undefined} {...props} />
      {problem(k)}
    </label>
  )
  const choice = <K extends 'overlap' | 'catchUp'>(k: K, label: string, options: [Form[K], string][]) => (
    <label className="flex flex-col gap-1 text-sm font-medium">
      {label}
      <select className="input" value={form[k]} onChange={(e) => set(k, e.target.value as Form[K])}>
        {options.map(([v, text]) => (
          <option key={v} value={v}>
            {text}
          </option>
        ))}
      </select>
    </label>
  )

  return (
    <form className="space-y-4" onSubmit={submit} aria-label="schedule">
      <div className="card grid gap-3 sm:grid-cols-2">
        {field('name', 'Name *', { required: true, placeholder: 'e.g. morning-search' })}
        {field('type', 'Job type (the handler) *', { required: true, placeholder: 'e.g. search' })}
        <div className="flex flex-col gap-1">
          {field('cron', 'Cron *', { required: true, spellCheck: false, className: 'input font-mono', placeholder: '0 9 * * 1-5' })}
          <span className="text-xs text-slate-600 dark:text-slate-300" data-testid="cron-preview">
            {form.cron.trim() ? describeSchedule(form.cron.trim(), form.timezone.trim() || 'UTC') : 'minute hour day month weekday (6 fields: seconds first)'}
          </span>
        </div>
        <div className="flex flex-col gap-1">
          {field('timezone', 'Time zone', { list: 'time-zones', placeholder: 'UTC', spellCheck: false })}
          <datalist id="time-zones">
            {zones.map((z) => (
              <option key={z} value={z} />
            ))}
          </datalist>
        </div>
        {field('queue', 'Queue', { placeholder: 'default' })}
        {field('priority', 'Priority', { inputMode: 'numeric', placeholder: '0 (higher runs first)' })}
        {field('owner', 'Owner', { placeholder: 'user or tenant (optional)' })}
        <label className="flex items-center gap-2 self-end text-sm font-medium">
          <input type="checkbox" checked={form.enabled} onChange={(e) => set('enabled', e.target.checked)} />
          Enabled
        </label>
        {choice('overlap', 'Overlap', [
          ['allow', 'allow: every tick runs'],
          ['skip', 'skip a tick while the last run is pending or running'],
        ])}
        {choice('catchUp', 'After downtime', [
          ['none', 'none: missed ticks are not run'],
          ['latest', 'latest: run the most recent missed tick once'],
        ])}
      </div>
      <div className="card">
        <label className="flex flex-col gap-1 text-sm font-medium">
          Payload (JSON)
          <textarea
            className="input min-h-32 font-mono text-xs"
            spellCheck={false}
            value={form.payload}
            onChange={(e) => set('payload', e.target.value)}
            aria-invalid={errors.payload ? true : undefined}
          />
          {problem('payload')}
        </label>
      </div>
      <FormFooter error={error} busy={busy} submitLabel={submitLabel} onCancel={onCancel} />
    </form>
  )
}
