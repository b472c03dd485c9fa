/**
 * Conveyor's benchmark: `npm run bench -- [--backend pg|pglite|both] [--quick] [--runs N]`.
 *
 * Each scenario runs on a fresh store with Conveyor's default settings (PostgreSQL: a new schema of
 * DATABASE_URL, dropped afterwards; PGlite: a new data directory on disk, deleted afterwards), prints
 * a markdown table with the targets beside the figures, and writes bench/results/<date>-<backend>.json.
 * The API scenarios run @conveyor/server in a child process on a fresh store and load it with
 * autocannon from this process (api-load.ts).
 * With --runs N > 1 every scenario runs N times and the table shows the median and the spread.
 */
import { mkdir, writeFile } from 'node:fs/promises'
import { fileURLToPath } from 'node:url'
import type { Conveyor } from '@conveyor/core'
import { API_NOTE, API_SCENARIOS, type ServerProcess, startServerProcess } from './api-load.ts'
import { type BackendName, parseArgs } from './args.ts'
import { BACKEND_TITLES, DATABASE_URL, engineVersion, openFresh } from './backends.ts'
import { type BackendResult, machine, meets, metrics, round, table, TARGETS } from './report.ts'
import { SCENARIOS, SIZES, type Sizes } from './scenarios.ts'
import { median } from './stats.ts'

const RESULTS_DIR = fileURLToPath(new URL('./results/', import.meta.url))

/** One scenario on a store of its own: an open Conveyor in this process, or a server process (API). */
interface Runnable {
  name: string
  run(): Promise<Record<string, number>>
}

function runnables(backend: BackendName, sizes: Sizes, only: string[]): Runnable[] {
  const wanted = (id: string) => only.length === 0 || only.includes(id)
  return [
    ...SCENARIOS.filter((s) => wanted(s.id)).map((s) => ({ name: s.name, run: () => withFresh(backend, (c) => s.run(c, sizes)) })),
    ...API_SCENARIOS.filter((s) => wanted(s.id)).map((s) => ({
      name: s.name,
      run: () => withServerProcess(backend, s.nodeFlags, (server) => s.run(server, sizes)),
    })),
  ]
}

/** Refuses --only ids that name no scenario, listing the ones there are. */
function checkOnly(only: string[]) {
  const ids = [...SCENARIOS.map((s) => s.id), ...API_SCENARIOS.map((s) => s.id)]
  const unknown = only.filter((id) => !ids.includes(id))
  if (unknown.length > 0) {
    console.error(`no scenario ${unknown.join(', ')}; the scenarios are ${ids.join(', ')}`)
    process.exit(2)
  }
}

async function withFresh<T>(backend: BackendName, fn: (c: Conveyor) => Promise<T>): Promise<T> {
  const fresh = await openFresh(backend)
  try {
    return await fn(fresh.conveyor)
  } finally {
    await fresh.dispose()
  }
}

async function withServerProcess<T>(backend: BackendName, nodeFlags: string[] | undefined, fn: (server: ServerProcess) => Promise<T>): Promise<T> {
  const server = await startServerProcess(backend, nodeFlags)
  try {
    return await fn(server)
  } finally {
    await server.stop()
  }
}

async function runBackend(backend: BackendName, sizes: Sizes, runs: number, only: string[]): Promise<BackendResult> {
  const engine = await engineVersion(backend)
  process.stderr.write(`\n${BACKEND_TITLES[backend]}: ${engine}\n`)
  const all: Record<string, number>[] = []
  for (let run = 1; run <= runs; run++) {
    const figures: Record<string, number> = {}
    for (const scenario of runnables(backend, sizes, only)) {
      process.stderr.write(`  run ${run}/${runs} ${scenario.name} … `)
      const out = await scenario.run()
      Object.assign(figures, out)
      process.stderr.write(Object.entries(out).map(([k, v]) => `${k} ${round(v, 2)}`).join(', ') + '\n')
    }
    all.push(figures)
  }
  const keys = [...new Set(all.flatMap((r) => Object.keys(r)))]
  return { backend, engine, runs: all, median: Object.fromEntries(keys.map((k) => [k, median(all.map((r) => r[k] ?? Number.NaN))])) }
}

async function main() {
  const args = parseArgs(process.argv.slice(2))
  checkOnly(args.only)
  const sizes = SIZES[args.quick ? 'quick' : 'full']
  const host = machine()
  const startedAt = new Date()
  process.stderr.write(
    `Conveyor benchmark (${args.quick ? 'quick' : 'full'}, ${args.runs} run${args.runs > 1 ? 's' : ''}) on ` +
      `${host.cores} cores, ${host.memoryGiB} GiB, Node ${host.node}, load ${host.loadAverage.join(' ')}\n`,
  )
  const results: BackendResult[] = []
  for (const backend of args.backends) results.push(await runBackend(backend, sizes, args.runs, args.only))

  // With --only, the rows of scenarios that did not run are left out.
  const ms = metrics(sizes.drain).filter((m) => results.some((r) => r.median[m.key] !== undefined))
  console.log(`\n${table(results, ms)}\n\n${API_NOTE}\n`)
  for (const r of results) console.log(`${BACKEND_TITLES[r.backend]}: ${r.engine}`)
  const endLoad = machine().loadAverage
  console.log(
    `machine: ${host.cores} × ${host.cpuModel}, ${host.memoryGiB} GiB, Node ${host.node}, ` +
      `load ${host.loadAverage[0]} at start, ${endLoad[0]} at end`,
  )
  // A load above the core count means other work took CPU from the database and from this process.
  if (Math.max(host.loadAverage[0] ?? 0, endLoad[0] ?? 0) > host.cores)
    console.log(`warning: the machine was busy (load above ${host.cores} cores); these figures understate Conveyor`)

  await mkdir(RESULTS_DIR, { recursive: true })
  const stamp = startedAt.toISOString().slice(0, 19).replaceAll(':', '-')
  const file = `${RESULTS_DIR}${stamp}-${args.label}.json`
  const report = {
    startedAt: startedAt.toISOString(),
    finishedAt: new Date().toISOString(),
    mode: args.quick ? 'quick' : 'full',
    runs: args.runs,
    sizes,
    notes: [API_NOTE],
    machine: { ...host, loadAverageAtEnd: endLoad, databaseUrl: args.backends.includes('pg') ? redact(DATABASE_URL) : undefined },
    backends: Object.fromEntries(
      results.map((r) => [
        r.backend,
        {
          engine: r.engine,
          metrics: Object.fromEntries(
            ms.map((m) => {
              const target = TARGETS[r.backend][m.key]
              const value = r.median[m.key]
              return [
                m.key,
                { label: m.label, unit: m.unit, value: value ?? null, runs: r.runs.map((x) => x[m.key] ?? null), target: target ?? null, meetsTarget: meets(target, value) },
              ]
            }),
          ),
        },
      ]),
    ),
  }
  await writeFile(file, JSON.stringify(report, null, 2) + '\n')
  console.log(`results: ${file}`)
}

/** The connection string without a password, for the results file. */
function redact(url: string): string {
  try {
    const u = new URL(url)
    if (u.password) u.password = '***'
    return u.toString()
  } catch {
    return 'unparseable'
  }
}

main().catch((err) => {
  console.error(err)
  process.exit(1)
})
