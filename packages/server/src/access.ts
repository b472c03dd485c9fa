import type { CallerRole, RouteId } from '@conveyor/contracts'
import type { Caller } from './auth.ts'
import { HttpError } from './errors.ts'

const READERS = ['admin', 'producer', 'viewer'] as const
const WORKER = ['admin', 'worker'] as const
/** Dashboard views across every owner that producers do not need: alert rules, history, the audit log. */
const ADMIN_READERS = ['admin', 'viewer'] as const
/** What a user token may do, always within its owner's jobs: enqueue, list, watch, cancel, retry, delete. */
const OWN_JOBS = ['admin', 'producer', 'user'] as const

/**
 * Who may call each route: the one table of access rules (the role × route test walks it).
 * `public` routes need no credential. Roles:
 *  - admin: everything (the dashboard).
 *  - producer: an app's backend: enqueue for any owner, read and manage jobs, mint user tokens.
 *  - worker: claim and finish jobs over HTTP, read a job.
 *  - viewer: read only.
 *  - user: a user token, bound to one owner: that owner's jobs only (another owner's job is 404).
 *
 * Schedules: admin creates, changes and removes them; producer and viewer read them, and producer may
 * also trigger one (it may enqueue any job anyway, so a run now grants nothing new, while changing a
 * timetable is the operator's call). Metrics are read by every role that sees all jobs. Alert rules,
 * their history and the audit log: admin, and viewer reads. Job files follow the job's own rules
 * (a worker reads its job's inputs); uploads are enqueue's roles.
 */
export const ACCESS: Record<RouteId, readonly CallerRole[] | 'public'> = {
  enqueueJob: OWN_JOBS,
  enqueueJobAlias: OWN_JOBS,
  enqueueBatch: OWN_JOBS,
  listJobs: [...READERS, 'user'],
  jobStats: [...READERS, 'user'],
  getJob: [...READERS, 'worker', 'user'],
  cancelJob: OWN_JOBS,
  retryJob: OWN_JOBS,
  deleteJob: OWN_JOBS,
  uploadFile: OWN_JOBS,
  listJobFiles: [...READERS, 'worker', 'user'],
  downloadJobFile: [...READERS, 'worker', 'user'],
  bulkJobs: OWN_JOBS,
  purgeJobs: ['admin', 'producer'],
  events: [...READERS, 'user'],
  claimJobs: WORKER,
  endClaimWait: WORKER,
  heartbeatJob: WORKER,
  progressJob: WORKER,
  completeJob: WORKER,
  failJob: WORKER,
  releaseJob: WORKER,
  listWorkers: [...READERS, 'worker'],
  workerCancels: WORKER,
  listQueues: [...READERS, 'worker'],
  pauseQueue: ['admin'],
  resumeQueue: ['admin'],
  createKey: ['admin'],
  listKeys: ['admin'],
  revokeKey: ['admin'],
  createToken: ['admin', 'producer'],
  listSchedules: READERS,
  getSchedule: READERS,
  createSchedule: ['admin'],
  updateSchedule: ['admin'],
  deleteSchedule: ['admin'],
  triggerSchedule: ['admin', 'producer'],
  metricsSummary: READERS,
  metricsErrors: READERS,
  retryErrorGroup: ['admin', 'producer'],
  listAlertRules: ADMIN_READERS,
  getAlertRule: ADMIN_READERS,
  alertHistory: ADMIN_READERS,
  createAlertRule: ['admin'],
  updateAlertRule: ['admin'],
  deleteAlertRule: ['admin'],
  testAlertRule: ['admin'],
  listAudit: ADMIN_READERS,
  health: 'public',
  ready: 'public',
  metrics: 'public',
  openapi: 'public',
}

/** Throws forbidden (403) unless the caller's role may use the route. */
export function authorize(caller: Caller, route: RouteId): void {
  const allowed = ACCESS[route]
  if (allowed === 'public' || allowed.includes(caller.role)) return
  throw new HttpError('forbidden', `a ${caller.role === 'user' ? 'user token' : `${caller.role} key`} may not use this route`, {
    allowed,
  })
}
