import type { ConveyorClient, Job } from '@conveyor/client'
import { useJob, useJobs } from '@conveyor/client/react'
import { type FormEvent, useEffect, useState } from 'react'
import { createRoot } from 'react-dom/client'
import { ExamplePage } from '../../app-kit/page/session.tsx'
import { errorText, formatDuration, jobDuration, ProgressBar, StatusBadge, saveJobFile, useAction } from '../../app-kit/page/ui.tsx'
import type { AnalysisResult } from '../src/analyse.ts'
import { ANALYSE } from '../src/settings.ts'
import { startAnalysis } from '../src/start-analysis.ts'

/** The job shown, kept in the URL (#job=…) so a reload or a shared link follows the same analysis. */
function useJobInUrl(): [string | null, (id: string | null) => void] {
  const read = () => new URLSearchParams(location.hash.slice(1)).get('job')
  const [id, setId] = useState(read)
  useEffect(() => {
    const onHash = () => setId(read())
    addEventListener('hashchange', onHash)
    return () => removeEventListener('hashchange', onHash)
  }, [])
  return [id, (next) => (location.hash = next ? `job=${next}` : '')]
}

function Upload({ client, onStarted }: { client: ConveyorClient; onStarted: (job: Job) => void }) {
  const [file, setFile] = useState<File | null>(null)
  const [busy, setBusy] = useState(false)
  const [error, setError] = useState<string | null>(null)
  const submit = (e: FormEvent) => {
    e.preventDefault()
    if (!file) return
    setBusy(true)
    setError(null)
    startAnalysis(client, file.name, file)
      .then(onStarted, (err: unknown) => setError(errorText(err)))
      .finally(() => setBusy(false))
  }
  return (
    <form className="card" onSubmit={submit}>
      <h2>Analyse a CSV file</h2>
      <div className="row">
        <input type="file" name="file" accept=".csv,text/csv" onChange={(e) => setFile(e.target.files?.[0] ?? null)} />
        <button type="submit" disabled={!file || busy}>
          {busy ? 'Uploading…' : 'Analyse'}
        </button>
      </div>
      {error && <p className="error">{error}</p>}
    </form>
  )
}

/** One analysis, live: its progress while it runs (events over SSE, no polling), then its result. */
function Analysis({ client, id }: { client: ConveyorClient; id: string }) {
  const { job, status, progress, error } = useJob(client, id)
  const [actionError, act] = useAction()
  if (error) return <p className="card error">{errorText(error)}</p>
  if (!job || !status) return <p className="card muted">Loading…</p>
  const result = job.result as AnalysisResult | null
  return (
    <section className="card analysis" data-status={status}>
      <div className="row">
        <h2>{job.name || 'Analysis'}</h2>
        <StatusBadge status={status} />
      </div>
      {(status === 'pending' || status === 'running') && (
        <>
          <ProgressBar value={progress ?? 0} label="analysis progress" />
          <p className="muted">{job.progressMessage ?? (status === 'pending' ? 'Waiting for a worker…' : 'Starting…')}</p>
          <button className="secondary" onClick={() => act(() => client.cancel(job.id))}>
            Cancel
          </button>
        </>
      )}
      {status === 'failed' && <p className="error">The analysis failed: {job.lastError?.message}</p>}
      {status === 'completed' && result && (
        <>
          <p>
            {result.rows.toLocaleString()} rows, {result.columns} columns, in {formatDuration(jobDuration(job) ?? 0)}.{' '}
            <button name="download" onClick={() => act(() => saveJobFile(client, job.id, result.resultFile))}>
              Download {result.resultFile}
            </button>
          </p>
          <table>
            <thead>
              <tr>
                <th>column</th>
                <th>kind</th>
                <th className="num">count</th>
                <th className="num">empty</th>
                <th className="num">min</th>
                <th className="num">max</th>
                <th className="num">mean</th>
                <th className="num">distinct</th>
              </tr>
            </thead>
            <tbody>
              {result.summary.map((c) => (
                <tr key={c.column}>
                  <td>{c.column}</td>
                  <td>{c.kind}</td>
                  <td className="num">{c.count}</td>
                  <td className="num">{c.empty}</td>
                  <td className="num">{c.min ?? ''}</td>
                  <td className="num">{c.max ?? ''}</td>
                  <td className="num">{c.mean ?? ''}</td>
                  <td className="num">{c.distinct ?? ''}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </>
      )}
      {actionError && <p className="error">{actionError}</p>}
    </section>
  )
}

function Recent({ client, onOpen }: { client: ConveyorClient; onOpen: (id: string) => void }) {
  const { jobs } = useJobs(client, { type: ANALYSE, limit: 10 })
  if (jobs.length === 0) return null
  return (
    <section className="card">
      <h2>Your recent analyses</h2>
      <p className="muted">Kept for 24 hours after they finish.</p>
      <table>
        <tbody>
          {jobs.map((j) => (
            <tr key={j.id}>
              <td>
                <a href={`#job=${j.id}`} onClick={() => onOpen(j.id)}>
                  {j.name || j.id}
                </a>
              </td>
              <td>
                <StatusBadge status={j.status} />
              </td>
              <td>{new Date(j.createdAt).toLocaleString()}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  )
}

function App() {
  const [jobId, setJobId] = useJobInUrl()
  return (
    <ExamplePage title="File analysis" hint="Any name will do: this example's sign-in stands for your app's.">
      {({ client }) => (
        <>
          <Upload client={client} onStarted={(job) => setJobId(job.id)} />
          {jobId && <Analysis key={jobId} client={client} id={jobId} />}
          <Recent client={client} onOpen={setJobId} />
        </>
      )}
    </ExamplePage>
  )
}

createRoot(document.getElementById('root')!).render(<App />)
