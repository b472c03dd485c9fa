import type { ConveyorClient, Job } from '@conveyor/client'
import { useJob, useJobs } from '@conveyor/client/react'
import { type FormEvent, useEffect, useState } from 'react'
import { createRoot } from 'react-dom/client'
import { type Session, SignedIn } from '../../app-kit/page/session.tsx'
import { Elapsed, formatDuration, jobDuration, ProgressBar, StatusBadge, useAction } from '../../app-kit/page/ui.tsx'
import { ACTIVE, type ClientContext, HISTORY, rerun, type SearchResult, type SearchRun, startSearch } from '../src/search-runs.ts'

const DEVICE_KEY = 'search-runs-device'

/** This browser's name for the user's other devices to see ("phone", "work laptop"). */
function useDevice(): [ClientContext, (name: string) => void] {
  const [device, setDevice] = useState(() => localStorage.getItem(DEVICE_KEY) ?? (/Mobi/.test(navigator.userAgent) ? 'phone' : 'computer'))
  return [
    { device, userAgent: navigator.userAgent },
    (name) => {
      localStorage.setItem(DEVICE_KEY, name)
      setDevice(name)
    },
  ]
}

function describeRun(run: Job): string {
  const c = run.payload as SearchRun['payload']
  return `${c.jobTitle} in ${c.location}${c.site ? ` (${c.site})` : ''}`
}

function startedWhere(run: Job): string {
  const context = (run as SearchRun).metadata?.clientContext
  return run.source === 'schedule' ? 'the schedule' : (context?.device ?? 'another app')
}

function SearchForm({ client, context }: { client: ConveyorClient; context: ClientContext }) {
  const [jobTitle, setTitle] = useState('')
  const [location, setLocation] = useState('')
  const [error, act] = useAction()
  const submit = (e: FormEvent) => {
    e.preventDefault()
    act(() => startSearch(client, { jobTitle, location }, context))
  }
  return (
    <form className="card" onSubmit={submit}>
      <h2>New search</h2>
      <div className="row">
        <label>
          Job title <input name="jobTitle" value={jobTitle} onChange={(e) => setTitle(e.target.value)} required />
        </label>
        <label>
          Location <input name="location" value={location} onChange={(e) => setLocation(e.target.value)} required />
        </label>
        <button type="submit">Search</button>
      </div>
      {error && <p className="error">{error}</p>}
    </form>
  )
}

/**
 * The user's current run, on every device: the newest run not yet finished (whoever started it),
 * with its elapsed time; once it ends, its result stays until the next one starts.
 */
function CurrentRun({ client }: { client: ConveyorClient }) {
  const { jobs } = useJobs(client, { ...ACTIVE, status: [...ACTIVE.status] })
  const [followed, setFollowed] = useState<string | null>(null)
  const activeId = jobs[0]?.id
  useEffect(() => {
    if (activeId) setFollowed(activeId)
  }, [activeId])
  const { job } = useJob(client, followed)
  const [error, act] = useAction()
  if (!job) return <p className="card muted current-run">No search running.</p>
  const result = job.result as SearchResult | null
  return (
    <section className="card current-run" data-status={job.status} data-run={job.id}>
      <div className="row">
        <h2>{describeRun(job)}</h2>
        <StatusBadge status={job.status} />
        <span className="muted">started on {startedWhere(job)}</span>
      </div>
      {(job.status === 'pending' || job.status === 'running') && (
        <>
          <p>
            {job.status === 'pending' ? 'Waiting for a worker' : (job.progressMessage ?? 'Searching')} —{' '}
            <Elapsed since={job.startedAt ?? job.createdAt} />
          </p>
          <ProgressBar value={job.progress} label="search progress" />
          <button className="secondary" onClick={() => act(() => client.cancel(job.id))}>
            Cancel
          </button>
        </>
      )}
      {job.status === 'completed' && result && (
        <p className="result">
          Found <strong>{result.jobsFound}</strong> jobs on {result.sites.join(', ')} in {formatDuration(jobDuration(job) ?? 0)}.
        </p>
      )}
      {job.status === 'failed' && <p className="error">The search failed: {job.lastError?.message}. Start a new one, or re-run it below.</p>}
      {job.status === 'cancelled' && <p className="muted">Cancelled.</p>}
      {error && <p className="error">{error}</p>}
    </section>
  )
}

function History({ client, context }: { client: ConveyorClient; context: ClientContext }) {
  const { jobs } = useJobs(client, HISTORY)
  const [error, act] = useAction()
  return (
    <section className="card">
      <h2>Search history</h2>
      <table>
        <thead>
          <tr>
            <th>when</th>
            <th>search</th>
            <th>from</th>
            <th>status</th>
            <th className="num">jobs found</th>
            <th className="num">took</th>
            <th />
          </tr>
        </thead>
        <tbody>
          {jobs.map((run) => {
            const ms = jobDuration(run)
            const active = run.status === 'pending' || run.status === 'running'
            return (
              <tr key={run.id} data-run={run.id}>
                <td>{new Date(run.createdAt).toLocaleString()}</td>
                <td>{describeRun(run)}</td>
                <td>{startedWhere(run)}</td>
                <td>
                  <StatusBadge status={run.status} />
                </td>
                <td className="num">{(run.result as SearchResult | null)?.jobsFound ?? ''}</td>
                <td className="num">{ms === null ? '' : formatDuration(ms)}</td>
                <td>
                  {active ? (
                    <button className="secondary" name="cancel" onClick={() => act(() => client.cancel(run.id))}>
                      Cancel
                    </button>
                  ) : (
                    <button className="secondary" name="rerun" onClick={() => act(() => rerun(client, run, context))}>
                      Re-run
                    </button>
                  )}
                </td>
              </tr>
            )
          })}
        </tbody>
      </table>
      {error && <p className="error">{error}</p>}
    </section>
  )
}

function Searches({ session, signOut }: { session: Session; signOut: () => void }) {
  const [context, setDevice] = useDevice()
  return (
    <>
      <header>
        <h1>Job searches</h1>
        <span className="row muted">
          {session.user} on
          <input aria-label="this device" className="device" value={context.device} onChange={(e) => setDevice(e.target.value)} />
          <button className="secondary" onClick={signOut}>
            Sign out
          </button>
        </span>
      </header>
      <p className="muted">Your searches also run by themselves at 08:00, 10:00, 14:00, 16:00, 16:45 and 22:00 (UK time).</p>
      <CurrentRun client={session.client} />
      <SearchForm client={session.client} context={context} />
      <History client={session.client} context={context} />
    </>
  )
}

function App() {
  return (
    <main>
      <SignedIn hint="Sign in with the same name on two devices (or two browsers): both show the same runs, live.">
        {(session, signOut) => <Searches session={session} signOut={signOut} />}
      </SignedIn>
    </main>
  )
}

createRoot(document.getElementById('root')!).render(<App />)
