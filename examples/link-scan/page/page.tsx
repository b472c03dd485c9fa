import type { ConveyorClient, Job } from '@conveyor/client'
import { useJobs } from '@conveyor/client/react'
import { type FormEvent, useState } from 'react'
import { createRoot } from 'react-dom/client'
import { SignedIn } from '../../app-kit/page/session.tsx'
import { errorText, formatDuration, jobDuration, ProgressBar, StatusBadge, useAction } from '../../app-kit/page/ui.tsx'
import type { ScanPayload, ScanResult } from '../src/scan-handler.ts'

/** Seed 000's form: a URL in, a `scan` job out (the token makes the signed-in user its owner). */
function ScanForm({ client, onSubmitted }: { client: ConveyorClient; onSubmitted: () => void }) {
  const [url, setUrl] = useState('')
  const [busy, setBusy] = useState(false)
  const [error, setError] = useState<string | null>(null)
  const submit = (e: FormEvent) => {
    e.preventDefault()
    if (!url.trim()) return
    setBusy(true)
    setError(null)
    client
      .enqueue({ type: 'scan', payload: { url: url.trim() } satisfies ScanPayload })
      .then(
        () => {
          setUrl('')
          onSubmitted()
        },
        (err: unknown) => setError(errorText(err)),
      )
      .finally(() => setBusy(false))
  }
  return (
    <form className="card scan-form" onSubmit={submit}>
      <input name="url" type="url" required value={url} onChange={(e) => setUrl(e.target.value)} placeholder="https://example.com" aria-label="Page to scan" />
      <button type="submit" disabled={busy}>
        {busy ? 'Scheduling…' : 'Scan'}
      </button>
      {error && <p className="error">{error}</p>}
    </form>
  )
}

function ScanItem({ client, job }: { client: ConveyorClient; job: Job }) {
  const [error, act] = useAction()
  const { url } = (job.payload ?? {}) as Partial<ScanPayload>
  const result = job.result as ScanResult | null
  const active = job.status === 'pending' || job.status === 'running'
  const took = jobDuration(job)
  return (
    <li className="card scan" data-job-id={job.id} data-status={job.status}>
      <div className="row">
        <span className="url">{url ?? '(no url)'}</span>
        <StatusBadge status={job.status} />
      </div>
      {active && (
        <>
          <ProgressBar value={job.progress} label="scan progress" />
          <p className="muted">{job.progressMessage ?? 'Waiting for a worker…'}</p>
        </>
      )}
      {job.status === 'completed' && result && (
        <p className="result" data-alive={result.alive} data-dead={result.dead} data-errors={result.errors}>
          <span className="alive">✓ {result.alive} alive</span> <span className="dead">✗ {result.dead} dead</span>{' '}
          <span className="errors">⚠ {result.errors} errors</span>
          {took !== null && <span className="muted"> · {formatDuration(took)}</span>}
        </p>
      )}
      {job.status === 'failed' && <p className="error">{job.lastError?.message ?? 'failed'}</p>}
      <div className="row muted">
        <span>submitted {new Date(job.createdAt).toLocaleString()}</span>
        {active && (
          <button className="secondary" onClick={() => act(() => client.cancel(job.id))}>
            Cancel
          </button>
        )}
        {(job.status === 'failed' || job.status === 'cancelled') && (
          <button className="secondary" onClick={() => act(() => client.retry(job.id))}>
            Scan again
          </button>
        )}
      </div>
      {error && <p className="error">{error}</p>}
    </li>
  )
}

/** The user's scans, newest first, live: useJobs follows the event stream, no polling interval. */
function Scans({ client }: { client: ConveyorClient }) {
  const { jobs, count, loading, error, refresh } = useJobs(client, { type: 'scan', limit: 50 })
  return (
    <>
      <ScanForm client={client} onSubmitted={refresh} />
      {error ? <p className="card error">{errorText(error)}</p> : null}
      {!loading && jobs.length === 0 && <p className="muted">No scans yet: submit a URL.</p>}
      <ul className="scans">
        {jobs.map((job) => (
          <ScanItem key={job.id} client={client} job={job} />
        ))}
      </ul>
      {count > jobs.length && <p className="muted">The latest {jobs.length} of {count} scans.</p>}
    </>
  )
}

function App() {
  return (
    <main>
      <SignedIn hint="Any name will do: this example's sign-in stands for your app's.">
        {({ user, client }, signOut) => (
          <>
            <header>
              <h1>Link scan</h1>
              <span className="muted">
                {user}{' '}
                <button className="secondary" onClick={signOut}>
                  Sign out
                </button>
              </span>
            </header>
            <Scans client={client} />
          </>
        )}
      </SignedIn>
    </main>
  )
}

createRoot(document.getElementById('root')!).render(<App />)
