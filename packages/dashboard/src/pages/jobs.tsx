import type { Job, JobStatus } from '@conveyor/client'
import { keepPreviousData, useMutation, useQuery, useQueryClient } from '@tanstack/react-query'
import { useEffect, useMemo, useRef, useState } from 'react'
import { Link, useLocation, useNavigate, useSearchParams } from 'react-router'
import { client, errorMessage } from '../api.ts'
import { ConfirmDialog } from '../components/confirm-dialog.tsx'
import { ProgressBar } from '../components/progress-bar.tsx'
import { STATUS_LOOK, StatusBadge } from '../components/status-badge.tsx'
import { Duration, When } from '../components/time.tsx'
import { canCancel, canRetry, refreshAfterChange, useJobAction } from '../job-actions.ts'
import { jobsToCsv, jobsToJson } from '../lib/export.ts'
import { eventMatches, isFiltered, type JobFilter, readFilter, SORTS, STATUSES, toBulkFilter, toListQuery, writeFilter } from '../lib/filters.ts'
import { formatCount, fromDatetimeLocal, jobDurationMs, toDatetimeLocal } from '../lib/format.ts'
import { useLive } from '../live.tsx'
import { useNow, usePrefs } from '../prefs.tsx'
import { useSession } from '../session.tsx'
import { useShortcuts } from '../shortcuts.ts'

const PAGE_SIZE = 50
const EXPORT_PAGE = 500

type BulkAction = 'retry' | 'cancel' | 'delete'
interface PendingBulk {
  action: BulkAction
  scope: 'selected' | 'matching'
  count: number
}
const BULK_VERB: Record<BulkAction, [string, string]> = { retry: ['Retry', 'Retried'], cancel: ['Cancel', 'Cancelled'], delete: ['Delete', 'Deleted'] }

export function JobsPage() {
  const [params, setParams] = useSearchParams()
  const location = useLocation()
  const navigate = useNavigate()
  const qc = useQueryClient()
  const { can } = useSession()
  const live = useLive()
  const now = useNow(5000)

  const filter = useMemo(() => readFilter(params), [params])
  const filterKey = writeFilter(filter).toString()
  const cursor = params.get('cursor') ?? undefined
  const page = Math.max(1, Number(params.get('page') ?? 1) || 1)
  const prevCursors = (location.state as { prev?: (string | null)[] } | null)?.prev ?? []
  const listQuery = toListQuery(filter, { cursor: cursor ?? null, limit: PAGE_SIZE })
  const list = useQuery({ queryKey: ['jobs', listQuery], queryFn: () => client.listJobs(listQuery), placeholderData: keepPreviousData })
  const jobs = list.data?.jobs ?? []
  const count = list.data?.count ?? 0

  const setFilter = (f: JobFilter, replace = false) => setParams(writeFilter(f), { replace })

  // Selection and the "new jobs" banner belong to one filtered view.
  const [selected, setSelected] = useState<ReadonlySet<string>>(new Set())
  const [allMatching, setAllMatching] = useState(false)
  const [focus, setFocus] = useState(-1)
  const [newIds, setNewIds] = useState<ReadonlySet<string>>(new Set())
  useEffect(() => {
    setSelected(new Set())
    setAllMatching(false)
    setFocus(-1)
    setNewIds(new Set())
  }, [filterKey])
  useEffect(() => {
    if (!list.isFetching) setNewIds(new Set())
  }, [list.dataUpdatedAt, list.isFetching])

  // New jobs are counted, not inserted: rows never move under the reader's eyes.
  const shown = useRef(new Set<string>())
  shown.current = new Set(jobs.map((j) => j.id))
  useEffect(
    () =>
      live.onBatch((batch) => {
        const fresh = [...batch.values()].filter((e) => e.status === 'pending' && !shown.current.has(e.id) && eventMatches(filter, e))
        if (fresh.length === 0) return
        setNewIds((prev) => {
          const next = new Set(prev)
          for (const e of fresh) next.add(e.id)
          return next
        })
      }),
    [live, filter],
  )

  const searchRef = useRef<HTMLInputElement>(null)
  useEffect(() => {
    if ((location.state as { focusSearch?: boolean } | null)?.focusSearch) searchRef.current?.focus()
  }, [location.state])

  const action = useJobAction()
  const [message, setMessage] = useState<string | null>(null)
  const [pendingBulk, setPendingBulk] = useState<PendingBulk | null>(null)
  const bulk = useMutation({
    mutationFn: (b: PendingBulk) =>
      client.bulk(b.scope === 'matching' ? { action: b.action, filter: toBulkFilter(filter) } : { action: b.action, ids: [...selected] }),
    onSuccess: ({ affected }, b) => {
      setMessage(`${BULK_VERB[b.action][1]} ${formatCount(affected)} job${affected === 1 ? '' : 's'}.`)
      setSelected(new Set())
      setAllMatching(false)
      setPendingBulk(null)
      refreshAfterChange(qc)
    },
    onError: (err) => {
      setMessage(`Could not ${pendingBulk?.action ?? 'do that'}: ${errorMessage(err)}`)
      setPendingBulk(null)
    },
  })
  const ask = (a: BulkAction) => {
    const b: PendingBulk = { action: a, scope: allMatching ? 'matching' : 'selected', count: allMatching ? count : selected.size }
    // Retrying a handful of chosen jobs destroys nothing: no need to ask.
    if (a === 'retry' && b.scope === 'selected') bulk.mutate(b)
    else setPendingBulk(b)
  }

  const [exporting, setExporting] = useState<{ format: 'csv' | 'json'; done: number } | null>(null)
  const exportJobs = async (format: 'csv' | 'json') => {
    setExporting({ format, done: 0 })
    try {
      const all: Job[] = []
      let next: string | null = null
      do {
        const pageData = await client.listJobs(toListQuery(filter, { cursor: next, limit: EXPORT_PAGE }))
        all.push(...pageData.jobs)
        next = pageData.nextCursor
        setExporting({ format, done: all.length })
      } while (next)
      const at = new Date()
      const body = format === 'csv' ? jobsToCsv(all) : jobsToJson(all, Object.fromEntries(writeFilter(filter)), at)
      const blob = new Blob([body], { type: format === 'csv' ? 'text/csv;charset=utf-8' : 'application/json' })
      const a = document.createElement('a')
      a.href = URL.createObjectURL(blob)
      a.download = `conveyor-jobs-${at.toISOString().replaceAll(':', '-').slice(0, 19)}.${format}`
      document.body.append(a)
      a.click()
      a.remove()
      setTimeout(() => URL.revokeObjectURL(a.href), 10_000)
      setMessage(`Exported ${formatCount(all.length)} jobs as ${format.toUpperCase()}.`)
    } catch (err) {
      setMessage(`Export failed: ${errorMessage(err)}`)
    } finally {
      setExporting(null)
    }
  }

  const toggle = (id: string) => {
    setAllMatching(false)
    setSelected((prev) => {
      const next = new Set(prev)
      if (next.has(id)) next.delete(id)
      else next.add(id)
      return next
    })
  }
  const pageAllSelected = jobs.length > 0 && jobs.every((j) => selected.has(j.id))
  const selectionCount = allMatching ? count : selected.size

  useShortcuts({
    j: () => setFocus((f) => Math.min(jobs.length - 1, f + 1)),
    k: () => setFocus((f) => Math.max(0, f - 1)),
    x: () => {
      const job = jobs[focus]
      if (job) toggle(job.id)
    },
    Enter: () => {
      const job = jobs[focus]
      if (job) void navigate(`/jobs/${job.id}`)
    },
    r: () => {
      const job = jobs[focus]
      if (job && can.act && canRetry(job.status)) action.mutate({ id: job.id, action: 'retry' })
    },
  })
  useEffect(() => {
    if (focus >= 0) document.querySelector(`[data-row="${focus}"]`)?.scrollIntoView({ block: 'nearest' })
  }, [focus])

  const goNext = () => {
    const next = list.data?.nextCursor
    if (!next) return
    const p = writeFilter(filter, { cursor: next, page: page + 1 })
    void navigate(`/jobs?${p}`, { state: { prev: [...prevCursors, cursor ?? null] } })
  }
  const goPrev = () => {
    const prev = prevCursors.slice(0, -1)
    const c = prevCursors.at(-1)
    void navigate(`/jobs?${writeFilter(filter, { ...(c ? { cursor: c } : {}), page: page - 1 })}`, { state: { prev } })
  }
  const showNew = () => {
    setNewIds(new Set())
    if (cursor) void navigate(`/jobs?${writeFilter(filter)}`)
    else void list.refetch()
  }

  const first = (page - 1) * PAGE_SIZE + 1
  return (
    <div className="space-y-4">
      <div className="flex flex-wrap items-baseline justify-between gap-2">
        <h1 className="text-xl font-semibold">Jobs</h1>
        <p className="text-sm text-slate-600 dark:text-slate-300" data-testid="match-count" data-count={list.data ? count : ''}>
          {list.data ? `${formatCount(count)} matching` : 'Loading…'}
        </p>
      </div>

      <Filters filter={filter} setFilter={setFilter} searchRef={searchRef} />

      {message && (
        <p role="status" className="flex items-center justify-between rounded-md bg-indigo-50 px-3 py-2 text-sm dark:bg-indigo-950">
          {message}
          <button type="button" className="btn-quiet" onClick={() => setMessage(null)} aria-label="dismiss">
            ✕
          </button>
        </p>
      )}
      {list.isError && (
        <p role="alert" className="text-sm text-rose-700">
          {errorMessage(list.error)}
        </p>
      )}

      {newIds.size > 0 && (
        <button type="button" onClick={showNew} className="w-full rounded-md bg-sky-100 px-3 py-2 text-sm font-medium text-sky-900 hover:bg-sky-200 dark:bg-sky-900 dark:text-sky-100" data-testid="new-jobs">
          ↑ {formatCount(newIds.size)} new job{newIds.size === 1 ? '' : 's'} — show
        </button>
      )}

      <div className="flex flex-wrap items-center gap-2 text-sm">
        {can.act && selectionCount > 0 && (
          <div className="flex flex-wrap items-center gap-2 rounded-md bg-slate-100 px-2 py-1 dark:bg-slate-800" role="group" aria-label="bulk actions">
            <span data-testid="selection-count">{formatCount(selectionCount)} selected</span>
            <button type="button" className="btn btn-sm" onClick={() => ask('retry')}>
              Retry selected
            </button>
            <button type="button" className="btn btn-sm" onClick={() => ask('cancel')}>
              Cancel selected
            </button>
            <button type="button" className="btn btn-sm text-rose-700 dark:text-rose-300" onClick={() => ask('delete')}>
              Delete selected
            </button>
            <button
              type="button"
              className="btn-quiet"
              onClick={() => {
                setSelected(new Set())
                setAllMatching(false)
              }}
            >
              Clear selection
            </button>
          </div>
        )}
        {can.act && pageAllSelected && !allMatching && count > jobs.length && (
          <button type="button" className="btn-quiet" onClick={() => setAllMatching(true)}>
            Select all {formatCount(count)} matching
          </button>
        )}
        <div className="ml-auto flex items-center gap-2">
          {exporting ? (
            <span role="status">
              Exporting {exporting.format.toUpperCase()}… {formatCount(exporting.done)} / {formatCount(count)}
            </span>
          ) : (
            <>
              <button type="button" className="btn btn-sm" onClick={() => void exportJobs('csv')} disabled={count === 0}>
                Export CSV
              </button>
              <button type="button" className="btn btn-sm" onClick={() => void exportJobs('json')} disabled={count === 0}>
                Export JSON
              </button>
            </>
          )}
        </div>
      </div>

      <div className="card overflow-x-auto p-0">
        <table className="w-full text-sm" data-testid="jobs-table">
          <thead className="border-b border-slate-200 dark:border-slate-800">
            <tr>
              {can.act && (
                <th className="th w-8">
                  <input
                    type="checkbox"
                    aria-label="select every job on this page"
                    checked={pageAllSelected}
                    onChange={() => {
                      setAllMatching(false)
                      setSelected(pageAllSelected ? new Set() : new Set(jobs.map((j) => j.id)))
                    }}
                  />
                </th>
              )}
              <th className="th">status</th>
              <th className="th">type / name</th>
              <th className="th">queue</th>
              <th className="th">owner</th>
              <th className="th">progress</th>
              <th className="th text-right">attempts</th>
              <th className="th">created</th>
              <th className="th">started</th>
              <th className="th">finished</th>
              <th className="th text-right">duration</th>
              <th className="th">worker</th>
              {can.act && <th className="th">actions</th>}
            </tr>
          </thead>
          <tbody>
            {jobs.map((job, i) => (
              <tr
                key={job.id}
                data-row={i}
                data-job-id={job.id}
                data-status={job.status}
                data-focused={i === focus || undefined}
                aria-selected={selected.has(job.id) || allMatching}
                className={`border-t border-slate-100 dark:border-slate-800 ${i === focus ? 'bg-indigo-50 ring-2 ring-inset ring-indigo-400 dark:bg-indigo-950' : 'hover:bg-slate-50 dark:hover:bg-slate-800/50'}`}
                onClick={() => setFocus(i)}
              >
                {can.act && (
                  <td className="td">
                    <input type="checkbox" aria-label={`select job ${job.id}`} checked={allMatching || selected.has(job.id)} onChange={() => toggle(job.id)} />
                  </td>
                )}
                <td className="td">
                  <StatusBadge status={job.status} scheduled={job.status === 'pending' && Date.parse(job.runAt) > now} />
                </td>
                <td className="td max-w-72">
                  <Link to={`/jobs/${job.id}`} className="link block truncate font-medium" title={job.name ?? job.type}>
                    {job.type}
                  </Link>
                  {job.name && <div className="truncate text-xs text-slate-500" title={job.name}>{job.name}</div>}
                </td>
                <td className="td whitespace-nowrap">{job.queue}</td>
                <td className="td max-w-40 truncate" title={job.owner ?? ''}>
                  {job.owner ?? <span className="text-slate-400">—</span>}
                </td>
                <td className="td min-w-32">
                  <ProgressBar value={job.progress} status={job.status} label={`progress of ${job.type}`} />
                  {job.progressMessage && <div className="max-w-48 truncate text-xs text-slate-500" title={job.progressMessage}>{job.progressMessage}</div>}
                </td>
                <td className="td text-right tabular-nums">
                  {job.attempts}/{job.maxAttempts}
                </td>
                <td className="td">
                  <When at={job.createdAt} now={now} />
                </td>
                <td className="td">
                  <When at={job.startedAt} now={now} />
                </td>
                <td className="td">
                  <When at={job.completedAt} now={now} />
                </td>
                <td className="td text-right">
                  <Duration ms={jobDurationMs(job, now)} />
                </td>
                <td className="td max-w-40 truncate font-mono text-xs" title={job.lockedBy ?? ''}>
                  {job.lockedBy ?? <span className="text-slate-400">—</span>}
                </td>
                {can.act && (
                  <td className="td whitespace-nowrap">
                    {canRetry(job.status) && (
                      <button type="button" className="btn btn-sm" disabled={action.isPending} onClick={() => action.mutate({ id: job.id, action: 'retry' })}>
                        Retry
                      </button>
                    )}
                    {canCancel(job.status) && (
                      <button type="button" className="btn btn-sm" disabled={action.isPending} onClick={() => action.mutate({ id: job.id, action: 'cancel' })}>
                        Cancel
                      </button>
                    )}
                  </td>
                )}
              </tr>
            ))}
            {list.data && jobs.length === 0 && (
              <tr>
                <td colSpan={13} className="td py-8 text-center text-slate-500">
                  {isFiltered(filter) ? 'No job matches these filters.' : 'No jobs yet.'}
                </td>
              </tr>
            )}
          </tbody>
        </table>
      </div>
      {action.isError && (
        <p role="alert" className="text-sm text-rose-700">
          {errorMessage(action.error)}
        </p>
      )}

      <nav aria-label="pages" className="flex flex-wrap items-center justify-between gap-2 text-sm">
        <span className="text-slate-600 dark:text-slate-300">
          {jobs.length > 0 ? `${formatCount(first)}–${formatCount(first + jobs.length - 1)} of ${formatCount(count)}` : ''}
          {page > 1 && ` · page ${page}`}
        </span>
        <div className="flex gap-2">
          {page > 1 && (
            <Link className="btn btn-sm" to={`/jobs?${writeFilter(filter)}`}>
              ⇤ First
            </Link>
          )}
          {prevCursors.length > 0 && (
            <button type="button" className="btn btn-sm" onClick={goPrev}>
              ← Previous
            </button>
          )}
          <button type="button" className="btn btn-sm" onClick={goNext} disabled={!list.data?.nextCursor}>
            Next →
          </button>
        </div>
      </nav>

      {pendingBulk && (
        <ConfirmDialog
          title={`${BULK_VERB[pendingBulk.action][0]} ${formatCount(pendingBulk.count)} job${pendingBulk.count === 1 ? '' : 's'}?`}
          confirmLabel={`${BULK_VERB[pendingBulk.action][0]} ${formatCount(pendingBulk.count)}`}
          destructive={pendingBulk.action !== 'retry'}
          busy={bulk.isPending}
          onConfirm={() => bulk.mutate(pendingBulk)}
          onCancel={() => setPendingBulk(null)}
        >
          {pendingBulk.scope === 'matching' ? (
            <p>
              This acts on every job matching the current filters ({formatCount(pendingBulk.count)} when last counted), including those not shown on this
              page.
            </p>
          ) : (
            <p>This acts on the {formatCount(pendingBulk.count)} selected jobs.</p>
          )}
          {pendingBulk.action === 'delete' && <p className="mt-2 font-medium">Deleted jobs are gone for good; running jobs are left alone.</p>}
          {pendingBulk.action === 'cancel' && <p className="mt-2">Only pending and running jobs can be cancelled; running handlers are signalled to stop.</p>}
        </ConfirmDialog>
      )}
    </div>
  )
}

/** The filters, written to the URL as they change (text boxes after a short pause). */
function Filters({ filter, setFilter, searchRef }: { filter: JobFilter; setFilter(f: JobFilter, replace?: boolean): void; searchRef: React.RefObject<HTMLInputElement | null> }) {
  const { tz } = usePrefs()
  // The queue list costs a scan of the jobs' counts (half a second at a million jobs): read it only
  // once someone reaches for the queue filter (or when another page already has it cached).
  const [wantQueues, setWantQueues] = useState(false)
  const queues = useQuery({ queryKey: ['queues'], queryFn: () => client.listQueues(), enabled: wantQueues })
  const [text, setText] = useState({ q: filter.q ?? '', type: filter.type ?? '', owner: filter.owner ?? '' })
  // Read through refs: the page re-renders with every live batch, which must not restart the pause.
  const filterRef = useRef(filter)
  filterRef.current = filter
  const setFilterRef = useRef(setFilter)
  setFilterRef.current = setFilter
  useEffect(() => setText({ q: filter.q ?? '', type: filter.type ?? '', owner: filter.owner ?? '' }), [filter.q, filter.type, filter.owner])
  useEffect(() => {
    const f = filterRef.current
    if ((f.q ?? '') === text.q.trim() && (f.type ?? '') === text.type.trim() && (f.owner ?? '') === text.owner.trim()) return
    const t = setTimeout(() => {
      const next: JobFilter = { ...filterRef.current }
      for (const k of ['q', 'type', 'owner'] as const) {
        const v = text[k].trim()
        if (v) next[k] = v
        else delete next[k]
      }
      setFilterRef.current(next, true)
    }, 350)
    return () => clearTimeout(t)
  }, [text])

  // On a phone only the status and the search show at first; the rest folds away.
  const advanced = [filter.queue, filter.type, filter.owner, filter.createdAfter, filter.createdBefore].filter(Boolean).length + (filter.sort !== 'newest' ? 1 : 0)
  const [more, setMore] = useState(false)
  const toggleStatus = (s: JobStatus) =>
    setFilter({ ...filter, status: filter.status.includes(s) ? filter.status.filter((x) => x !== s) : [...filter.status, s] })
  const setDate = (k: 'createdAfter' | 'createdBefore', value: string) => {
    const next = { ...filter }
    const iso = fromDatetimeLocal(value, tz)
    if (iso) next[k] = iso
    else delete next[k]
    setFilter(next, true)
  }

  return (
    <section aria-label="filters" className="card space-y-3">
      <div className="flex flex-wrap items-center gap-2" role="group" aria-label="status">
        {STATUSES.map((s) => {
          const on = filter.status.includes(s)
          return (
            <button
              key={s}
              type="button"
              aria-pressed={on}
              onClick={() => toggleStatus(s)}
              className={`rounded-full px-2.5 py-1 text-xs font-medium ring-1 ring-inset ${on ? `${STATUS_LOOK[s].className} ring-2` : 'text-slate-600 ring-slate-300 hover:bg-slate-100 dark:text-slate-300 dark:ring-slate-600 dark:hover:bg-slate-800'}`}
            >
              <span aria-hidden="true">{on ? '☑' : '☐'} {STATUS_LOOK[s].symbol}</span> {s}
            </button>
          )
        })}
      </div>
      <label className="flex flex-col gap-1 text-xs font-medium">
        Search name, type and payload <span className="sr-only">(shortcut /)</span>
        <input
          id="job-search"
          ref={searchRef}
          type="search"
          className="input"
          placeholder="e.g. invoice-42   (press / to focus)"
          value={text.q}
          onChange={(e) => setText({ ...text, q: e.target.value })}
          onKeyDown={(e) => {
            if (e.key === 'Escape') e.currentTarget.blur()
          }}
        />
      </label>
      <button type="button" className="btn-quiet text-sm sm:hidden" aria-expanded={more} onClick={() => setMore(!more)}>
        {more ? '▾ Fewer filters' : `▸ More filters${advanced ? ` (${advanced} set)` : ''}`}
      </button>
      <div className={`${more ? 'grid' : 'hidden'} grid-cols-1 gap-2 sm:grid sm:grid-cols-2 lg:grid-cols-4`}>
        <label className="flex flex-col gap-1 text-xs font-medium">
          Queue
          <select
            className="input"
            value={filter.queue ?? ''}
            onFocus={() => setWantQueues(true)}
            onPointerDown={() => setWantQueues(true)}
            onChange={(e) => setFilter(withText(filter, 'queue', e.target.value))}
          >
            <option value="">any queue</option>
            {(queues.data?.queues ?? []).map((q) => (
              <option key={q.name} value={q.name}>
                {q.name}
              </option>
            ))}
            {filter.queue && !queues.data?.queues.some((q) => q.name === filter.queue) && <option value={filter.queue}>{filter.queue}</option>}
          </select>
        </label>
        <label className="flex flex-col gap-1 text-xs font-medium">
          Sort
          <select className="input" value={filter.sort} onChange={(e) => setFilter({ ...filter, sort: e.target.value as JobFilter['sort'] })}>
            {SORTS.map((s) => (
              <option key={s} value={s}>
                {s === 'queue' ? 'claim order' : s}
              </option>
            ))}
          </select>
        </label>
        <label className="flex flex-col gap-1 text-xs font-medium">
          Type
          <input className="input" value={text.type} onChange={(e) => setText({ ...text, type: e.target.value })} placeholder="any type" />
        </label>
        <label className="flex flex-col gap-1 text-xs font-medium">
          Owner
          <input className="input" value={text.owner} onChange={(e) => setText({ ...text, owner: e.target.value })} placeholder="any owner" />
        </label>
        <label className="flex flex-col gap-1 text-xs font-medium">
          Created after ({tz === 'UTC' ? 'UTC' : 'local'})
          <input type="datetime-local" className="input" value={toDatetimeLocal(filter.createdAfter, tz)} onChange={(e) => setDate('createdAfter', e.target.value)} />
        </label>
        <label className="flex flex-col gap-1 text-xs font-medium">
          Created before ({tz === 'UTC' ? 'UTC' : 'local'})
          <input type="datetime-local" className="input" value={toDatetimeLocal(filter.createdBefore, tz)} onChange={(e) => setDate('createdBefore', e.target.value)} />
        </label>
      </div>
      {isFiltered(filter) && (
        <button type="button" className="btn-quiet text-sm" onClick={() => setFilter({ status: [], sort: filter.sort })}>
          Clear filters
        </button>
      )}
    </section>
  )
}

function withText(f: JobFilter, key: 'queue', value: string): JobFilter {
  const next = { ...f }
  if (value) next[key] = value
  else delete next[key]
  return next
}
