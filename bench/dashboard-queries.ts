import type { Conveyor } from '@conveyor/core'

/**
 * What the dashboard's overview and jobs page ask for, timed at a large table (issue 4: "with 1,000,000
 * jobs in PostgreSQL, the jobs page and the overview each answer in under 300 ms"). The jobs are
 * written by one INSERT … SELECT generate_series (97% completed, 2% failed, 1% pending, 4 queues, 10
 * types, spread over the past), then VACUUM ANALYZE, as a table that size would be in steady state.
 * Each query runs 7 times; the median is reported.
 */
export async function dashboardQueries(c: Conveyor, jobs: number): Promise<Record<string, number>> {
  const T = `"${c.schema}".jobs`
  await c.db.exec(`INSERT INTO ${T} (id, queue, type, status, attempts, completed_at, started_at, progress, created_at, run_at)
    SELECT gen_random_uuid(), 'q' || (g % 4), 't' || (g % 10),
      CASE WHEN g % 100 < 97 THEN 'completed' WHEN g % 100 < 99 THEN 'failed' ELSE 'pending' END::"${c.schema}".job_status,
      CASE WHEN g % 100 < 99 THEN 1 ELSE 0 END,
      CASE WHEN g % 100 < 99 THEN now() - (g || ' seconds')::interval END,
      CASE WHEN g % 100 < 99 THEN now() - (g || ' seconds')::interval - interval '1 second' END,
      CASE WHEN g % 100 < 97 THEN 100 ELSE 0 END,
      now() - (g || ' seconds')::interval, now() - (g || ' seconds')::interval
    FROM generate_series(1, ${Math.floor(jobs)}) g`)
  await c.db.exec(`VACUUM ANALYZE ${T}`)
  await c.rollup.runOnce()
  const median = async (f: () => Promise<unknown>) => {
    const ms: number[] = []
    for (let i = 0; i < 7; i++) {
      const t = performance.now()
      await f()
      ms.push(performance.now() - t)
    }
    return ms.sort((a, b) => a - b)[3]!
  }
  // The overview asks for these three at once; the page answers when the slowest does.
  const overview = await median(() => Promise.all([c.stats(), c.listQueues(), c.metrics.summary({ window: '1h' })]))
  return {
    'dashboard.overview': overview,
    'dashboard.jobs': await median(() => c.listJobs({ limit: 50 })),
    'dashboard.jobsFailed': await median(() => c.listJobs({ status: ['failed'], limit: 50 })),
  }
}
