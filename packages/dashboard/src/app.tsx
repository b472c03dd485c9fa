import { lazy, Suspense } from 'react'
import { BrowserRouter, Route, Routes } from 'react-router'
import { Layout } from './components/layout.tsx'
import { LiveProvider } from './live.tsx'
import { EnqueuePage } from './pages/enqueue.tsx'
import { JobPage } from './pages/job.tsx'
import { JobsPage } from './pages/jobs.tsx'
import { NotFound } from './pages/not-found.tsx'
import { OverviewPage } from './pages/overview.tsx'
import { QueuesPage } from './pages/queues.tsx'
import { WorkersPage } from './pages/workers.tsx'
import { SessionGate } from './session.tsx'

/**
 * The operators' pages are loaded when first opened: they bring cronstrue and most of the app's own
 * code, and the jobs pages (what most visits are for) need none of it.
 */
const SchedulesPage = lazy(() => import('./pages/schedules.tsx').then((m) => ({ default: m.SchedulesPage })))
const SchedulePage = lazy(() => import('./pages/schedule.tsx').then((m) => ({ default: m.SchedulePage })))
const NewSchedulePage = lazy(() => import('./pages/schedule.tsx').then((m) => ({ default: m.NewSchedulePage })))
const MetricsPage = lazy(() => import('./pages/metrics.tsx').then((m) => ({ default: m.MetricsPage })))
const ErrorsPage = lazy(() => import('./pages/errors.tsx').then((m) => ({ default: m.ErrorsPage })))
const AlertsPage = lazy(() => import('./pages/alerts.tsx').then((m) => ({ default: m.AlertsPage })))
const AlertHistoryPage = lazy(() => import('./pages/alert-history.tsx').then((m) => ({ default: m.AlertHistoryPage })))
const AuditPage = lazy(() => import('./pages/audit.tsx').then((m) => ({ default: m.AuditPage })))

export function App() {
  return (
    <BrowserRouter>
      <SessionGate>
        <LiveProvider>
          <Layout>
            <Suspense fallback={<p className="text-slate-500">Loading…</p>}>
            <Routes>
              <Route path="/" element={<OverviewPage />} />
              <Route path="/jobs" element={<JobsPage />} />
              <Route path="/jobs/:id" element={<JobPage />} />
              <Route path="/queues" element={<QueuesPage />} />
              <Route path="/workers" element={<WorkersPage />} />
              <Route path="/schedules" element={<SchedulesPage />} />
              <Route path="/schedules/new" element={<NewSchedulePage />} />
              <Route path="/schedules/:id" element={<SchedulePage />} />
              {/* Not /metrics: the server answers that path itself, with the Prometheus text. */}
              <Route path="/stats" element={<MetricsPage />} />
              <Route path="/errors" element={<ErrorsPage />} />
              <Route path="/alerts" element={<AlertsPage />} />
              <Route path="/alerts/history" element={<AlertHistoryPage />} />
              <Route path="/audit" element={<AuditPage />} />
              <Route path="/enqueue" element={<EnqueuePage />} />
              <Route path="*" element={<NotFound />} />
            </Routes>
            </Suspense>
          </Layout>
        </LiveProvider>
      </SessionGate>
    </BrowserRouter>
  )
}
