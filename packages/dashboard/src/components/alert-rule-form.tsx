import type { AlertRuleRequest } from '@conveyor/client'
import { type FormEvent, type InputHTMLAttributes, useState } from 'react'
import { ALERT_KINDS, type AlertForm as Form, type AlertFormErrors, describeRule, formToRule, KIND_LOOK } from '../lib/alert-form.ts'
import { FormFooter } from './notes.tsx'

/** Create or edit an alert rule; the condition is read back in words as it is set. */
export function AlertRuleForm({
  initial,
  title,
  submitLabel,
  busy,
  error,
  onSubmit,
  onCancel,
}: {
  initial: Form
  title: string
  submitLabel: string
  busy: boolean
  error: unknown
  onSubmit(body: AlertRuleRequest): void
  onCancel(): void
}) {
  const [form, setForm] = useState<Form>(initial)
  const [errors, setErrors] = useState<AlertFormErrors>({})
  const set = <K extends keyof Form>(k: K, v: Form[K]) => setForm((f) => ({ ...f, [k]: v }))
  const look = KIND_LOOK[form.kind]
  // The condition reads back before the form is complete (a name is not part of it).
  const preview = formToRule({ ...form, name: form.name || 'preview' }).body
  const submit = (e: FormEvent) => {
    e.preventDefault()
    const { body, errors } = formToRule(form)
    setErrors(errors)
    if (body) onSubmit(body)
  }
  const field = (k: 'name' | 'threshold' | 'windowMinutes' | 'queue' | 'type' | 'webhookUrl' | 'cooldownMinutes', label: string, props: InputHTMLAttributes<HTMLInputElement> = {}) => (
    <label className="flex flex-col gap-1 text-sm font-medium">
      {label}
      <input className="input" value={form[k]} onChange={(e) => set(k, e.target.value)} aria-invalid={errors[k] ? true : undefined} {...props} />
      {errors[k] && <span className="text-xs text-rose-700 dark:text-rose-400">{errors[k]}</span>}
    </label>
  )

  return (
    <form className="card space-y-3" onSubmit={submit} aria-label={title}>
      <h2 className="font-semibold">{title}</h2>
      <div className="grid gap-3 sm:grid-cols-2 lg:grid-cols-3">
        {field('name', 'Name *', { required: true, placeholder: 'e.g. search failures' })}
        <label className="flex flex-col gap-1 text-sm font-medium">
          Condition
          <select className="input" value={form.kind} onChange={(e) => set('kind', e.target.value as Form['kind'])}>
            {ALERT_KINDS.map((k) => (
              <option key={k} value={k}>
                {KIND_LOOK[k].label}
              </option>
            ))}
          </select>
        </label>
        {look.threshold && field('threshold', look.threshold.label, { inputMode: 'decimal', placeholder: look.threshold.placeholder })}
        {look.usesWindow && field('windowMinutes', 'Over the last (minutes)', { inputMode: 'decimal' })}
        {form.kind !== 'schedule_missed' && field('queue', 'Queue', { placeholder: 'any' })}
        {field('type', 'Type', { placeholder: 'any' })}
        {field('webhookUrl', 'Webhook URL', { type: 'url', placeholder: 'https://hooks.example.com/…' })}
        <label className="flex flex-col gap-1 text-sm font-medium">
          Message format
          <select className="input" value={form.format} onChange={(e) => set('format', e.target.value as Form['format'])}>
            <option value="json">JSON (the incident)</option>
            <option value="slack">Slack-compatible {'{ text }'}</option>
          </select>
        </label>
        {field('cooldownMinutes', 'Cool-down after resolving (minutes)', { inputMode: 'decimal' })}
        <label className="flex items-center gap-2 self-end text-sm font-medium">
          <input type="checkbox" checked={form.enabled} onChange={(e) => set('enabled', e.target.checked)} />
          Enabled
        </label>
      </div>
      <p className="text-sm text-slate-600 dark:text-slate-300" data-testid="rule-preview">
        Fires when: {preview ? describeRule({ kind: preview.kind, threshold: preview.threshold ?? 0, windowMs: preview.windowMs ?? 300_000, queue: preview.queue ?? null, type: preview.type ?? null }) : '…'}
      </p>
      <FormFooter error={error} busy={busy} submitLabel={submitLabel} onCancel={onCancel} />
    </form>
  )
}
