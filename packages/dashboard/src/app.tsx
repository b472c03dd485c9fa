import { BrowserRouter, Route, Routes } from 'react-router'
import { Layout } from './components/layout.tsx'
import { LiveProvider } from './live.tsx'
import { AlertHistoryPage } from './pages/alert-history.tsx'
import { AlertsPage } from './pages/alerts.tsx'
import { AuditPage } from './pages/audit.tsx'
import { EnqueuePage } from './pages/enqueue.tsx'
import { ErrorsPage } from './pages/errors.tsx'
import { JobPage } from './pages/job.tsx'
import { JobsPage } from './pages/jobs.tsx'
import { MetricsPage } from './pages/metrics.tsx'
import { NotFound } from './pages/not-found.tsx'
import { OverviewPage } from './pages/overview.tsx'
import { QueuesPage } from './pages/queues.tsx'
import { NewSchedulePage, SchedulePage } from './pages/schedule.tsx'
import { SchedulesPage } from './pages/schedules.tsx'
import { WorkersPage } from './pages/workers.tsx'
import { SessionGate } from './session.tsx'

export function App() {
  return (
    <BrowserRouter>
      <SessionGate>
        <LiveProvider>
          <Layout>
            <Routes>
              <Route path="/" element={<OverviewPage />} />
              <Route path="/jobs" element={<JobsPage />} />
              <Route path="/jobs/:id" element={<JobPage />} />
              <Route path="/queues" element={<QueuesPage />} />
              <Route path="/workers" element={<WorkersPage />} />
              <Route path="/schedules" element={<SchedulesPage />} />
              <Route path="/schedules/new" element={<NewSchedulePage />} />
              <Route path="/schedules/:id" element={<SchedulePage />} />
              <Route path="/metrics" element={<MetricsPage />} />
              <Route path="/errors" element={<ErrorsPage />} />
              <Route path="/alerts" element={<AlertsPage />} />
              <Route path="/alerts/history" element={<AlertHistoryPage />} />
              <Route path="/audit" element={<AuditPage />} />
              <Route path="/enqueue" element={<EnqueuePage />} />
              <Route path="*" element={<NotFound />} />
            </Routes>
          </Layout>
        </LiveProvider>
      </SessionGate>
    </BrowserRouter>
  )
}
