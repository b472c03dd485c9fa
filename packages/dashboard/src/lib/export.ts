import type { Job } from '@conveyor/client'

/** The columns of a CSV export, in order. */
export const CSV_COLUMNS = [
  'id',
  'status',
  'type',
  'name',
  'queue',
  'owner',
  'priority',
  'attempts',
  'maxAttempts',
  'progress',
  'progressMessage',
  'createdAt',
  'runAt',
  'startedAt',
  'completedAt',
  'lockedBy',
  'lastError',
  'payload',
  'result',
  'metadata',
] as const

function cellOf(job: Job, column: (typeof CSV_COLUMNS)[number]): string {
  switch (column) {
    case 'lastError':
      return job.lastError ? `${job.lastError.name}: ${job.lastError.message}` : ''
    case 'payload':
    case 'result':
    case 'metadata':
      return job[column] === undefined || job[column] === null ? '' : JSON.stringify(job[column])
    default: {
      const v = job[column]
      return v === null || v === undefined ? '' : String(v)
    }
  }
}

/**
 * One CSV field (RFC 4180 quoting). A value that a spreadsheet would run as a formula (`=`, `+`, `-`,
 * `@`, tab, CR first) is prefixed with `'`: job data comes from anyone who can enqueue.
 */
export function csvField(value: string): string {
  const safe = /^[=+\-@\t\r]/.test(value) ? `'${value}` : value
  return /[",\r\n]/.test(safe) ? `"${safe.replaceAll('"', '""')}"` : safe
}

/** Jobs as CSV text: a header line, then one line per job. */
export function jobsToCsv(jobs: readonly Job[]): string {
  const lines = [CSV_COLUMNS.join(',')]
  for (const job of jobs) lines.push(CSV_COLUMNS.map((c) => csvField(cellOf(job, c))).join(','))
  return `${lines.join('\r\n')}\r\n`
}

/** Jobs as a JSON document: `{ exportedAt, filter, count, jobs }`. */
export function jobsToJson(jobs: readonly Job[], filter: unknown, exportedAt: Date): string {
  return `${JSON.stringify({ exportedAt: exportedAt.toISOString(), filter, count: jobs.length, jobs }, null, 2)}\n`
}
