import type { Job, JobStats } from '@conveyor/core'

/** Pretty JSON, as commands print a job: Dates become ISO strings. */
export function json(value: unknown): string {
  return JSON.stringify(value, null, 2)
}

/** Left-aligned columns separated by two spaces, a header row first. */
export function table(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)))
  const line = (cells: readonly string[]) =>
    cells
      .map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i] ?? 0)))
      .join('  ')
      .trimEnd()
  return [line(header), ...rows.map(line)].join('\n')
}

export function time(d: Date | null): string {
  return d ? d.toISOString().replace('T', ' ').replace(/\.\d+Z$/, 'Z') : '-'
}

export function jobsTable(jobs: readonly Job[]): string {
  return table(
    ['ID', 'TYPE', 'QUEUE', 'STATUS', 'ATTEMPTS', 'PROGRESS', 'CREATED'],
    jobs.map((j) => [j.id, j.type, j.queue, j.status, `${j.attempts}/${j.maxAttempts}`, `${j.progress}%`, time(j.createdAt)]),
  )
}

export function statsTable(stats: JobStats): string {
  return table(
    ['STATUS', 'JOBS'],
    [
      ['pending', stats.scheduled ? `${stats.pending} (${stats.scheduled} scheduled for later)` : String(stats.pending)],
      ['running', String(stats.running)],
      ['completed', String(stats.completed)],
      ['failed', String(stats.failed)],
      ['cancelled', String(stats.cancelled)],
      ['total', String(stats.total)],
    ],
  )
}

/** A heading and indented `name   value` rows, as the long-running commands print their settings. */
export function settingsBlock(title: string, rows: readonly (readonly [string, string])[]): string {
  return [title, ...rows.map(([k, v]) => `  ${k.padEnd(12)}${v}`)].join('\n')
}
