import type { EnqueueOptions } from '@conveyor/client'

/** The enqueue form's fields, as typed (strings). */
export interface EnqueueForm {
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

export const EMPTY_FORM: EnqueueForm = { type: '', queue: '', name: '', payload: '{\n  \n}', priority: '', delaySeconds: '', maxAttempts: '', timeoutSeconds: '', owner: '', idempotencyKey: '', metadata: '' }

/** Parses the form into enqueue options; a message per bad field. */
export function toEnqueue(f: EnqueueForm): { options?: EnqueueOptions; errors: Partial<Record<keyof EnqueueForm, string>> } {
  const errors: Partial<Record<keyof EnqueueForm, string>> = {}
  const json = (k: 'payload' | 'metadata') => {
    if (f[k].trim() === '') return undefined
    try {
      return JSON.parse(f[k]) as unknown
    } catch (err) {
      errors[k] = `not JSON: ${(err as Error).message}`
      return undefined
    }
  }
  const int = (k: keyof EnqueueForm, min: number) => {
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

