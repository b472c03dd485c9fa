import type { ConveyorClient, Job, JobStatus } from '@conveyor/client'
import { useEffect, useState } from 'react'

/** The status as a word and a colour (never the colour alone). */
export function StatusBadge({ status }: { status: JobStatus }) {
  return <span className={`badge status-${status}`}>{status}</span>
}

export function ProgressBar({ value, label }: { value: number; label?: string }) {
  const pct = Math.max(0, Math.min(100, Math.round(value)))
  return (
    <div className="progress" role="progressbar" aria-valuemin={0} aria-valuemax={100} aria-valuenow={pct} aria-label={label ?? 'progress'}>
      <div className="progress-fill" style={{ width: `${pct}%` }} />
      <span className="progress-text">{pct}%</span>
    </div>
  )
}

/** 850 ms, 12 s, 3 min 4 s, 2 h 5 min. */
export function formatDuration(ms: number): string {
  if (ms < 1000) return `${Math.max(0, Math.round(ms))} ms`
  const s = Math.floor(ms / 1000)
  if (s < 60) return `${s} s`
  const m = Math.floor(s / 60)
  if (m < 60) return `${m} min ${s % 60} s`
  return `${Math.floor(m / 60)} h ${m % 60} min`
}

/** How long a job ran (or has been running), from its timestamps. */
export function jobDuration(job: Job, now = Date.now()): number | null {
  if (!job.startedAt) return null
  const end = job.completedAt ? Date.parse(job.completedAt) : job.status === 'running' ? now : null
  return end === null ? null : end - Date.parse(job.startedAt)
}

/** The current time, re-rendered every `everyMs` while mounted (for running timers). */
export function useNow(everyMs = 1000): number {
  const [now, setNow] = useState(() => Date.now())
  useEffect(() => {
    const t = setInterval(() => setNow(Date.now()), everyMs)
    return () => clearInterval(t)
  }, [everyMs])
  return now
}

/** Time since `since`, ticking every second. */
export function Elapsed({ since }: { since: string }) {
  const now = useNow()
  return <time dateTime={since}>{formatDuration(now - Date.parse(since))}</time>
}

export function errorText(err: unknown): string {
  return err instanceof Error ? err.message : String(err)
}

/** Runs an action from a button and shows what went wrong, if anything. */
export function useAction(): [string | null, (action: () => Promise<unknown>) => void] {
  const [error, setError] = useState<string | null>(null)
  return [
    error,
    (action) => {
      setError(null)
      action().catch((err: unknown) => setError(errorText(err)))
    },
  ]
}

/** Saves a job's file with the user's token (a plain link could not send it): fetched, then handed to the browser. */
export async function saveJobFile(client: ConveyorClient, jobId: string, name: string): Promise<void> {
  const url = URL.createObjectURL(await (await client.downloadFile(jobId, name)).blob())
  const a = document.createElement('a')
  a.href = url
  a.download = name
  a.click()
  setTimeout(() => URL.revokeObjectURL(url), 10_000)
}
