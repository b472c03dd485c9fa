import type { ConveyorClient, Job, JobStatus } from '@conveyor/client'
import { useJobs } from '@conveyor/client/react'
import { useEffect, useState } from 'react'
import { createRoot } from 'react-dom/client'
import { ExamplePage } from '../../app-kit/page/session.tsx'
import { formatDuration, jobDuration, ProgressBar, StatusBadge, saveJobFile, useAction, useNow } from '../../app-kit/page/ui.tsx'
import { getProjectJobStats, projectJobsQuery, startProjectJob } from '../src/project-jobs.ts'
import { DEMO_PROJECTS, JOB_TYPES, PROJECT_QUEUE, type ProjectJobType } from '../src/settings.ts'

type Stats = Awaited<ReturnType<typeof getProjectJobStats>>
const STATUSES: JobStatus[] = ['pending', 'running', 'completed', 'failed', 'cancelled']
const STATUS_LABELS: Record<JobStatus, string> = { pending: 'Queued', running: 'Running', completed: 'Completed', failed: 'Failed', cancelled: 'Cancelled' }

/** The filters live in the URL (?project=…&status=…&type=…), so a filtered view can be shared. */
function useUrlParam(name: string, fallback = ''): [string, (value: string) => void] {
  const [value, setValue] = useState(() => new URLSearchParams(location.search).get(name) ?? fallback)
  return [
    value,
    (next) => {
      const params = new URLSearchParams(location.search)
      if (next) params.set(name, next)
      else params.delete(name)
      history.replaceState(null, '', `?${params}`)
      setValue(next)
    },
  ]
}

/** A project's counts, read again (at most twice a second) whenever one of the team's project jobs changes. */
function useProjectStats(client: ConveyorClient, projectId: string): Stats | null {
  const [stats, setStats] = useState<Stats | null>(null)
  useEffect(() => {
    let stale = false
    let timer: ReturnType<typeof setTimeout> | undefined
    const read = () => {
      timer = undefined
      getProjectJobStats(client, projectId).then((s) => !stale && setStats(s), () => {})
    }
    read()
    const unsubscribe = client.subscribe({ queue: PROJECT_QUEUE }, () => {
      timer ??= setTimeout(read, 500)
    })
    return () => {
      stale = true
      unsubscribe()
      clearTimeout(timer)
    }
  }, [client, projectId])
  return stats
}

function StatsCards({ stats }: { stats: Stats | null }) {
  const cards: [string, number | undefined, string][] = [
    ['Total', stats?.total, ''],
    ...STATUSES.map((s): [string, number | undefined, string] => [STATUS_LABELS[s], stats?.[s], `status-${s}`]),
  ]
  return (
    <div className="cards">
      {cards.map(([label, n, cls]) => (
        <div key={label} className={`card stat ${cls}`} data-stat={label.toLowerCase()}>
          <div className="stat-n">{n ?? '–'}</div>
          <div className="stat-label">{label}</div>
        </div>
      ))}
    </div>
  )
}

function sampleRecords(count: number, withErrors: boolean) {
  return Array.from({ length: count }, (_, i) => ({
    name: `Person ${i + 1}`,
    email: withErrors && i % 7 === 3 ? `person${i + 1}-at-example.com` : `person${i + 1}@example.com`,
  }))
}

function Actions({ client, projectId }: { client: ConveyorClient; projectId: string }) {
  const [error, act] = useAction()
  const start = (type: ProjectJobType, payload?: unknown) => act(() => startProjectJob(client, projectId, type, payload))
  return (
    <div className="card row">
      <button onClick={() => start('import', { records: sampleRecords(250, false), replace: true })}>Import 250 records</button>
      <button className="secondary" onClick={() => start('import', { records: sampleRecords(100, true) })}>
        Import 100 with errors
      </button>
      <button onClick={() => start('export')}>Export</button>
      <button onClick={() => start('validation')}>Validate</button>
      <button onClick={() => start('test-run', { suites: 30 })}>Run tests</button>
      {error && <span className="error">{error}</span>}
    </div>
  )
}

function JobsTable({ client, jobs }: { client: ConveyorClient; jobs: Job[] }) {
  const now = useNow()
  const [error, act] = useAction()
  if (jobs.length === 0) return <p className="muted">No jobs yet.</p>
  return (
    <>
      <table>
        <thead>
          <tr>
            <th>type</th>
            <th>status</th>
            <th>progress</th>
            <th>created</th>
            <th className="num">duration</th>
            <th>result</th>
            <th />
          </tr>
        </thead>
        <tbody>
          {jobs.map((job) => {
            const ms = jobDuration(job, now)
            const file = (job.result as { file?: string } | null)?.file
            return (
              <tr key={job.id} data-job={job.id} data-status={job.status}>
                <td>
                  <span className={`badge type-${job.type}`}>{JOB_TYPES[job.type as ProjectJobType] ?? job.type}</span>
                </td>
                <td>
                  <StatusBadge status={job.status} />
                </td>
                <td>
                  <ProgressBar value={job.progress} label={`${job.type} progress`} />
                </td>
                <td>{new Date(job.createdAt).toLocaleTimeString()}</td>
                <td className="num">{ms === null ? '' : formatDuration(ms)}</td>
                <td className="result">
                  {job.status === 'failed' && <span className="error">{job.lastError?.message}</span>}
                  {job.status === 'completed' && file && (
                    <button className="secondary" onClick={() => act(() => saveJobFile(client, job.id, file))}>
                      {file}
                    </button>
                  )}
                  {job.status === 'completed' && !file && <code>{JSON.stringify(job.result)}</code>}
                </td>
                <td>
                  {(job.status === 'pending' || job.status === 'running') && (
                    <button className="secondary" name="cancel" onClick={() => act(() => client.cancel(job.id))}>
                      Cancel
                    </button>
                  )}
                  {(job.status === 'failed' || job.status === 'cancelled') && (
                    <button className="secondary" name="retry" onClick={() => act(() => client.retry(job.id))}>
                      Retry
                    </button>
                  )}
                </td>
              </tr>
            )
          })}
        </tbody>
      </table>
      {error && <p className="error">{error}</p>}
    </>
  )
}

function ProjectJobs({ client }: { client: ConveyorClient }) {
  const [projectId, setProject] = useUrlParam('project', DEMO_PROJECTS[0].id)
  const [status, setStatus] = useUrlParam('status')
  const [type, setType] = useUrlParam('type')
  const stats = useProjectStats(client, projectId)
  const query = projectJobsQuery(projectId, {
    ...(status ? { status: status as JobStatus } : {}),
    ...(type ? { type: type as ProjectJobType } : {}),
  })
  const { jobs, error } = useJobs(client, query)
  return (
    <>
      <div className="row">
        <label>
          Project
          <select name="project" value={projectId} onChange={(e) => setProject(e.target.value)}>
            {DEMO_PROJECTS.map((p) => (
              <option key={p.id} value={p.id}>
                {p.name}
              </option>
            ))}
          </select>
        </label>
      </div>
      <StatsCards stats={stats} />
      <Actions client={client} projectId={projectId} />
      <section className="card">
        <div className="row">
          <h2>Jobs</h2>
          <label>
            Status
            <select name="status" value={status} onChange={(e) => setStatus(e.target.value)}>
              <option value="">all</option>
              {STATUSES.map((s) => (
                <option key={s} value={s}>
                  {STATUS_LABELS[s]}
                </option>
              ))}
            </select>
          </label>
          <label>
            Type
            <select name="type" value={type} onChange={(e) => setType(e.target.value)}>
              <option value="">all</option>
              {Object.entries(JOB_TYPES).map(([t, label]) => (
                <option key={t} value={t}>
                  {label}
                </option>
              ))}
            </select>
          </label>
        </div>
        {error ? <p className="error">{String(error)}</p> : <JobsTable client={client} jobs={jobs} />}
      </section>
    </>
  )
}

function App() {
  return (
    <ExamplePage title="Jobs" hint="Sign in with your team's name (any name will do): a team sees its own projects' jobs only.">
      {({ client }) => <ProjectJobs client={client} />}
    </ExamplePage>
  )
}

createRoot(document.getElementById('root')!).render(<App />)
