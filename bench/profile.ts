/**
 * Where a scenario's time goes: runs one benchmark scenario with every statement timed by name.
 *
 *   node --import tsx bench/profile.ts --backend pg --scenario drain-c50 [--quick]
 *   node --import tsx bench/profile.ts --backend pg --explain      # EXPLAIN ANALYZE claim and complete
 *
 * Combine with `node --cpu-prof --import tsx bench/profile.ts …` for the JavaScript side.
 */
import { parseArgs } from 'node:util'
import type { Conveyor } from '@conveyor/core'
import { openFresh } from './backends.ts'
import { round } from './report.ts'
import { SCENARIOS, SIZES } from './scenarios.ts'
import { timingDb, type StatementCost } from './statement-timing.ts'

/** Thrown to roll back the transaction an EXPLAIN ANALYZE ran in (it really claims and completes). */
class Rollback extends Error {}

const { values } = parseArgs({
  options: {
    backend: { type: 'string', default: 'pg' },
    scenario: { type: 'string', default: 'drain-c50' },
    quick: { type: 'boolean', default: false },
    explain: { type: 'boolean', default: false },
  },
})
const backend = values.backend === 'pglite' ? 'pglite' : 'pg'
const sizes = SIZES[values.quick ? 'quick' : 'full']

let timing: ReturnType<typeof timingDb> | undefined
const fresh = await openFresh(backend, (db, schema) => (timing = timingDb(db, schema)).db)
try {
  if (values.explain) await explain(fresh.conveyor, sizes.drain)
  else {
    const scenario = SCENARIOS.find((s) => s.id === values.scenario)
    if (!scenario) throw new Error(`no scenario ${values.scenario}; one of ${SCENARIOS.map((s) => s.id).join(', ')}`)
    const t0 = performance.now()
    const figures = await scenario.run(fresh.conveyor, sizes)
    const wall = performance.now() - t0
    console.log(`${backend} ${scenario.id}: ${JSON.stringify(figures)} (scenario wall time ${Math.round(wall)} ms, setup included)`)
    console.log(costTable(timing?.costs() ?? [], wall))
  }
} finally {
  await fresh.dispose()
}

function costTable(costs: StatementCost[], wallMs: number): string {
  const rows = costs.map((c) => [
    c.name,
    c.calls,
    c.rows,
    round(c.totalMs, 0),
    `${round((c.totalMs / wallMs) * 100, 0)}%`,
    round(c.totalMs / c.calls, 2),
    round(c.maxMs, 1),
    round(c.rows / c.calls, 1),
  ])
  const head = ['statement', 'calls', 'rows', 'total ms', 'of wall', 'mean ms', 'max ms', 'rows/call']
  return [head, head.map(() => '---'), ...rows].map((r) => `| ${r.join(' | ')} |`).join('\n')
}

/**
 * EXPLAIN ANALYZE of the claim (50 jobs, as at concurrency 50) and of completing them, on a table of
 * `count` pending jobs, then again once half of them are done (the dead index entries of a queue that
 * was worked through are what a claim has to step over). Each runs in a transaction rolled back.
 */
async function explain(c: Conveyor, count: number) {
  for (let done = 0; done < count; done += 1000)
    await c.enqueueMany(Array.from({ length: Math.min(1000, count - done) }, () => ({ type: 'noop' })))
  const q = c.jobs.q
  const show = async (title: string) => {
    await c.db.transaction(async (tx) => {
      const plan = await tx.query<Record<string, string>>(`EXPLAIN (ANALYZE, BUFFERS) ${q.jobClaim}`, ['w', ['default'], ['noop'], 50, 30_000, 'bench_explain'])
      console.log(`\n-- ${title}: claim 50\n${plan.map((r) => Object.values(r)[0]).join('\n')}`)
      const input = JSON.stringify(
        (await tx.query<{ id: string; attempts: number }>(`SELECT id, attempts FROM ${quoted(c.schema)}.jobs WHERE status = 'running' AND locked_by = 'w'`)).map(
          (r) => ({ id: r.id, attempt: r.attempts, result: null }),
        ),
      )
      const plan2 = await tx.query<Record<string, string>>(`EXPLAIN (ANALYZE, BUFFERS) ${q.jobCompleteMany}`, ['w', input, 'bench_explain'])
      console.log(`\n-- ${title}: complete 50\n${plan2.map((r) => Object.values(r)[0]).join('\n')}`)
      throw new Rollback()
    }).catch((err) => {
      if (!(err instanceof Rollback)) throw err
    })
  }
  await show(`${count} pending`)
  // Work through half of the queue for real, so the claim index holds that many dead entries.
  const half = Math.floor(count / 2)
  for (let done = 0; done < half; done += 500) {
    const jobs = await c.jobs.claim({ workerId: 'w', queues: ['default'], types: ['noop'], limit: 500, leaseMs: 30_000 })
    await c.jobs.complete('w', jobs.map((j) => ({ id: j.id, attempt: j.attempts })))
  }
  await show(`${count - half} pending, ${half} completed`)
}


function quoted(name: string) {
  return `"${name.replace(/"/g, '""')}"`
}
