import { execFileSync } from 'node:child_process'
import { readdirSync, readFileSync } from 'node:fs'

/**
 * CPU time spent while a scenario runs: by this process (Node, and PGlite inside it) and by the
 * local PostgreSQL server's processes (every process named `postgres`, read from /proc). Unlike a
 * rate, CPU per job barely moves with other work on a shared machine, and it says which side a
 * ceiling is on: two cores can drain at most 2,000,000 / (node µs + server µs per job) jobs/s.
 */
export interface CpuSample {
  nodeUs: number
  /** undefined where /proc cannot be read (not Linux) or no local postgres process is seen. */
  serverUs: number | undefined
}

let ticksPerSecond: number | undefined
function clockTicks(): number {
  if (ticksPerSecond === undefined) {
    try {
      ticksPerSecond = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100
    } catch {
      ticksPerSecond = 100
    }
  }
  return ticksPerSecond
}

/** User + system time of every `postgres` process, in µs; undefined if there is none to read. */
function serverCpuUs(): number | undefined {
  let dirs: string[]
  try {
    dirs = readdirSync('/proc')
  } catch {
    return undefined
  }
  let ticks = 0
  let seen = false
  for (const d of dirs) {
    if (!/^\d+$/.test(d)) continue
    let stat: string
    try {
      stat = readFileSync(`/proc/${d}/stat`, 'utf8')
    } catch {
      continue // the process ended between the listing and the read
    }
    if (!stat.includes(' (postgres) ')) continue
    // Fields after "(comm) ": state is the 1st, utime the 12th, stime the 13th (proc(5)).
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
    ticks += Number(f[11]) + Number(f[12])
    seen = true
  }
  return seen ? (ticks * 1e6) / clockTicks() : undefined
}

export function cpuNow(): CpuSample {
  const u = process.cpuUsage()
  return { nodeUs: u.user + u.system, serverUs: serverCpuUs() }
}

export interface CpuCost {
  node: number
  server: number | undefined
}

/** CPU µs per job between two samples. */
export function cpuPerJob(start: CpuSample, end: CpuSample, jobs: number): CpuCost {
  const server = start.serverUs !== undefined && end.serverUs !== undefined ? (end.serverUs - start.serverUs) / jobs : undefined
  return { node: (end.nodeUs - start.nodeUs) / jobs, server }
}
