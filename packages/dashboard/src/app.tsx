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
              <Route path="/enqueue" element={<EnqueuePage />} />
              <Route path="*" element={<NotFound />} />
            </Routes>
          </Layout>
        </LiveProvider>
      </SessionGate>
    </BrowserRouter>
  )
}
