import type { z } from 'zod'
import {
  createKeyBodySchema,
  createKeyResponseSchema,
  createTokenBodySchema,
  keyIdParamsSchema,
  keyResponseSchema,
  keysResponseSchema,
  tokenResponseSchema,
} from './access.ts'
import {
  alertHistoryQuerySchema,
  alertHistoryResponseSchema,
  alertRuleBodySchema,
  alertRuleDeletedResponseSchema,
  alertRuleIdParamsSchema,
  alertRulePatchBodySchema,
  alertRuleResponseSchema,
  alertRulesResponseSchema,
  alertTestResponseSchema,
} from './alerts.ts'
import { auditQuerySchema, auditResponseSchema } from './audit.ts'
import { jobFileParamsSchema, jobFilesResponseSchema, uploadQuerySchema, uploadResponseSchema } from './files.ts'
import { healthResponseSchema, openApiDocumentSchema, readyResponseSchema } from './health.ts'
import {
  batchBodySchema,
  batchResponseSchema,
  bulkBodySchema,
  bulkResponseSchema,
  deletedResponseSchema,
  enqueueAliasBodySchema,
  enqueueBodySchema,
  enqueueResponseSchema,
  eventsQuerySchema,
  jobActionResponseSchema,
  jobIdParamsSchema,
  jobResponseSchema,
  listQuerySchema,
  listResponseSchema,
  purgedResponseSchema,
  purgeQuerySchema,
  statsQuerySchema,
  statsResponseSchema,
} from './jobs.ts'
import {
  metricsErrorsQuerySchema,
  metricsErrorsResponseSchema,
  metricsSummaryQuerySchema,
  metricsSummaryResponseSchema,
  retryErrorGroupBodySchema,
  retryErrorGroupResponseSchema,
} from './metrics.ts'
import { queueNameParamsSchema, queuePausedResponseSchema, queuesResponseSchema } from './queues.ts'
import {
  scheduleBodySchema,
  scheduleDeletedResponseSchema,
  scheduleIdParamsSchema,
  schedulePatchBodySchema,
  scheduleResponseSchema,
  schedulesResponseSchema,
  scheduleTriggerResponseSchema,
} from './schedules.ts'
import {
  claimBodySchema,
  claimResponseSchema,
  completeBodySchema,
  failBodySchema, releaseBodySchema,
  endClaimWaitBodySchema,
  endClaimWaitResponseSchema,
  heartbeatBodySchema,
  heartbeatResponseSchema,
  progressBodySchema,
  workersResponseSchema,
} from './workers.ts'

/** One route of the HTTP API: what it takes and what it answers. */
export interface RouteDef {
  method: 'GET' | 'POST' | 'PATCH' | 'DELETE'
  /** Fastify-style path (`/api/jobs/:id`). */
  path: string
  summary: string
  description?: string
  tag: 'jobs' | 'files' | 'workers' | 'queues' | 'schedules' | 'metrics' | 'alerts' | 'audit' | 'access' | 'events' | 'health'
  params?: z.ZodType
  query?: z.ZodType
  body?: z.ZodType
  /**
   * The body is not JSON but raw bytes of any content type, streamed to the handler unparsed (not
   * held to the JSON body limit); the value documents it, e.g. `application/octet-stream`.
   */
  rawBody?: string
  /** The success status (default 200). */
  status?: number
  /** The JSON answer; absent for non-JSON answers (event stream, metrics). */
  response?: z.ZodType
  /** The answer's content type when it is not JSON. */
  produces?: string
  /** Served without a key or token. */
  public?: true
  /** A change recorded in the audit log under this action when it succeeds (see GET /api/audit). */
  audit?: string
}

/**
 * Every route of the HTTP API, by id. The server registers, validates and authorises from this table;
 * the OpenAPI document is generated from it; the client is typed by it.
 */
export const ROUTES = {
  enqueueJob: {
    method: 'POST',
    path: '/api/jobs',
    tag: 'jobs',
    audit: 'job.enqueue',
    summary: 'Enqueue a job',
    description:
      'Answers 201 with the new job, or 200 with `duplicate: true` and the earlier job with the same owner and idempotencyKey. ' +
      'A duplicate attaches no file: the earlier job keeps its own, and the uploads its `files` name that are still unattached are deleted.',
    body: enqueueBodySchema,
    status: 201,
    response: enqueueResponseSchema,
  },
  enqueueJobAlias: {
    method: 'POST',
    path: '/api/jobs/enqueue',
    tag: 'jobs',
    audit: 'job.enqueue',
    summary: 'Enqueue a job (the same as POST /api/jobs; also takes seed 001 bodies)',
    description:
      'The same as POST /api/jobs, and it also takes the body seed 001\'s clients send, `{ prompt, branch?, name?, originUrl?, idempotencyKey? }`: ' +
      'a body with neither `type` nor `payload` becomes a job of type `default` whose payload holds the fields that are not enqueue options ' +
      '(and `name`, which stays the job\'s name too); enqueue options in it (name, idempotencyKey, queue, priority, …) stay options.',
    body: enqueueAliasBodySchema,
    status: 201,
    response: enqueueResponseSchema,
  },
  enqueueBatch: {
    method: 'POST',
    path: '/api/jobs/batch',
    tag: 'jobs',
    audit: 'job.enqueue',
    summary: 'Enqueue up to 1000 jobs at once',
    description: 'Every job is validated before any is written.',
    body: batchBodySchema,
    status: 201,
    response: batchResponseSchema,
  },
  listJobs: {
    method: 'GET',
    path: '/api/jobs',
    tag: 'jobs',
    summary: 'List jobs',
    query: listQuerySchema,
    response: listResponseSchema,
  },
  jobStats: {
    method: 'GET',
    path: '/api/jobs/stats',
    tag: 'jobs',
    summary: 'Count jobs by status',
    query: statsQuerySchema,
    response: statsResponseSchema,
  },
  purgeJobs: {
    method: 'DELETE',
    path: '/api/jobs',
    tag: 'jobs',
    audit: 'job.purge',
    summary: 'Delete finished jobs (by default the completed ones)',
    query: purgeQuerySchema,
    response: purgedResponseSchema,
  },
  bulkJobs: {
    method: 'POST',
    path: '/api/jobs/bulk',
    tag: 'jobs',
    audit: 'job.bulk',
    summary: 'Retry, cancel or delete many jobs, by ids or by filter',
    body: bulkBodySchema,
    response: bulkResponseSchema,
  },
  getJob: {
    method: 'GET',
    path: '/api/jobs/:id',
    tag: 'jobs',
    summary: 'One job with its attempt log',
    params: jobIdParamsSchema,
    response: jobResponseSchema,
  },
  cancelJob: {
    method: 'POST',
    path: '/api/jobs/:id/cancel',
    tag: 'jobs',
    audit: 'job.cancel',
    summary: 'Cancel a job',
    description: "Pending: cancelled at once. Running: its handler's signal fires and the job ends cancelled. Finished: 409.",
    params: jobIdParamsSchema,
    response: jobActionResponseSchema,
  },
  retryJob: {
    method: 'POST',
    path: '/api/jobs/:id/retry',
    tag: 'jobs',
    audit: 'job.retry',
    summary: 'Run a failed, cancelled or completed job again',
    params: jobIdParamsSchema,
    response: jobActionResponseSchema,
  },
  deleteJob: {
    method: 'DELETE',
    path: '/api/jobs/:id',
    tag: 'jobs',
    audit: 'job.delete',
    summary: 'Delete a job (not while it runs)',
    params: jobIdParamsSchema,
    response: deletedResponseSchema,
  },
  listJobFiles: {
    method: 'GET',
    path: '/api/jobs/:id/files',
    tag: 'files',
    summary: "A job's files: its uploaded inputs and the result files its handler attached",
    params: jobIdParamsSchema,
    response: jobFilesResponseSchema,
  },
  downloadJobFile: {
    method: 'GET',
    path: '/api/jobs/:id/files/:name',
    tag: 'files',
    summary: "Download one of a job's files",
    description: "Streamed with the file's content type, as an attachment. A job the caller may not see answers 404, as does a missing file.",
    params: jobFileParamsSchema,
    produces: 'application/octet-stream',
  },
  uploadFile: {
    method: 'POST',
    path: '/api/files',
    tag: 'files',
    audit: 'file.upload',
    summary: 'Upload a file to attach to a job (enqueue with `files: [id]`)',
    description:
      'The body is the file itself (any Content-Type, kept as the file\'s type), named by `?name=`. ' +
      'A file over the server\'s maxFileBytes (50 MiB by default) answers 413 file_too_large before more than that is stored. ' +
      'An upload cut off before its end (the client closed the connection) keeps nothing and, where the connection is still open, answers 400. ' +
      'Uploads not attached to a job within a day are deleted.',
    query: uploadQuerySchema,
    rawBody: 'application/octet-stream',
    status: 201,
    response: uploadResponseSchema,
  },
  claimJobs: {
    method: 'POST',
    path: '/api/workers/claim',
    tag: 'workers',
    summary: 'Claim jobs to run (long-poll with waitMs)',
    body: claimBodySchema,
    response: claimResponseSchema,
  },
  endClaimWait: {
    method: 'POST',
    path: '/api/workers/claim/end',
    tag: 'workers',
    summary: "End a stopping worker's waiting claims",
    description:
      'Each long-poll claim of this workerId that is waiting for work answers at once, with no jobs. ' +
      'A worker that is stopping calls this and then reads its claim\'s answer, instead of hanging up on it: a claim that took jobs ' +
      'at the moment the worker hung up had written its answer, and those jobs stayed running, unrun, until their lease ran out.',
    body: endClaimWaitBodySchema,
    response: endClaimWaitResponseSchema,
  },
  heartbeatJob: {
    method: 'POST',
    path: '/api/jobs/:id/heartbeat',
    tag: 'workers',
    summary: "Extend a claimed job's lease",
    description: 'Only the worker holding the current attempt may; anyone else gets 409 lease_lost.',
    params: jobIdParamsSchema,
    body: heartbeatBodySchema,
    response: heartbeatResponseSchema,
  },
  progressJob: {
    method: 'POST',
    path: '/api/jobs/:id/progress',
    tag: 'workers',
    summary: "Report a running job's progress",
    params: jobIdParamsSchema,
    body: progressBodySchema,
    response: jobResponseSchema,
  },
  completeJob: {
    method: 'POST',
    path: '/api/jobs/:id/complete',
    tag: 'workers',
    summary: 'Finish a job with its result',
    params: jobIdParamsSchema,
    body: completeBodySchema,
    response: jobResponseSchema,
  },
  failJob: {
    method: 'POST',
    path: '/api/jobs/:id/fail',
    tag: 'workers',
    summary: "Fail a job's attempt",
    description: 'Retried after its backoff while attempts are left and retryable is not false; else failed.',
    params: jobIdParamsSchema,
    body: failBodySchema,
    response: jobResponseSchema,
  },
  releaseJob: {
    method: 'POST',
    path: '/api/jobs/:id/release',
    tag: 'workers',
    summary: 'Hand a claimed job back unrun (a stopping worker)',
    description:
      'The attempt is not counted: the job is pending again at once, for any worker. A job whose cancel was asked ends cancelled instead. ' +
      'Only the worker holding the attempt may; anyone else gets 409 lease_lost.',
    params: jobIdParamsSchema,
    body: releaseBodySchema,
    response: jobResponseSchema,
  },
  listWorkers: {
    method: 'GET',
    path: '/api/workers',
    tag: 'workers',
    summary: 'Live workers',
    response: workersResponseSchema,
  },
  workerCancels: {
    method: 'GET',
    path: '/api/workers/cancels',
    tag: 'workers',
    summary: 'Cancel requests of running jobs, live (Server-Sent Events)',
    description:
      'Each `event: cancel` carries `{ "id" }`: a running job whose cancel was requested (the event may come again while it runs). ' +
      'A worker ends its attempt of that job as when a heartbeat answers `cancelRequested: true`, within about a second instead of at its next heartbeat. ' +
      'Comment lines keep the stream alive; an `event: resync` says cancels may have been missed (heartbeats still bring them). ' +
      'The stream ends when its key is revoked.',
    produces: 'text/event-stream',
  },
  listQueues: {
    method: 'GET',
    path: '/api/queues',
    tag: 'queues',
    summary: 'Queues with their counts by status',
    response: queuesResponseSchema,
  },
  pauseQueue: {
    method: 'POST',
    path: '/api/queues/:name/pause',
    tag: 'queues',
    audit: 'queue.pause',
    summary: 'Stop claiming from a queue',
    params: queueNameParamsSchema,
    response: queuePausedResponseSchema,
  },
  resumeQueue: {
    method: 'POST',
    path: '/api/queues/:name/resume',
    tag: 'queues',
    audit: 'queue.resume',
    summary: 'Claim from a paused queue again',
    params: queueNameParamsSchema,
    response: queuePausedResponseSchema,
  },
  listSchedules: {
    method: 'GET',
    path: '/api/schedules',
    tag: 'schedules',
    summary: 'Schedules, with their next runs',
    response: schedulesResponseSchema,
  },
  createSchedule: {
    method: 'POST',
    path: '/api/schedules',
    tag: 'schedules',
    audit: 'schedule.create',
    summary: 'Create a cron schedule',
    description: 'Each tick enqueues one job (exactly once, whatever the number of servers), with source `schedule` and the schedule in its metadata (`scheduleId`, `scheduleName`, `scheduledFor`). A taken name answers 409 already_exists.',
    body: scheduleBodySchema,
    status: 201,
    response: scheduleResponseSchema,
  },
  getSchedule: {
    method: 'GET',
    path: '/api/schedules/:id',
    tag: 'schedules',
    summary: 'One schedule with its next five runs and its recent runs',
    params: scheduleIdParamsSchema,
    response: scheduleResponseSchema,
  },
  updateSchedule: {
    method: 'PATCH',
    path: '/api/schedules/:id',
    tag: 'schedules',
    audit: 'schedule.update',
    summary: 'Change a schedule (enable, disable, edit)',
    params: scheduleIdParamsSchema,
    body: schedulePatchBodySchema,
    response: scheduleResponseSchema,
  },
  deleteSchedule: {
    method: 'DELETE',
    path: '/api/schedules/:id',
    tag: 'schedules',
    audit: 'schedule.delete',
    summary: 'Remove a schedule (its jobs stay)',
    params: scheduleIdParamsSchema,
    response: scheduleDeletedResponseSchema,
  },
  triggerSchedule: {
    method: 'POST',
    path: '/api/schedules/:id/trigger',
    tag: 'schedules',
    audit: 'schedule.trigger',
    summary: "Enqueue one run of a schedule now, outside its timetable",
    params: scheduleIdParamsSchema,
    status: 201,
    response: scheduleTriggerResponseSchema,
  },
  metricsSummary: {
    method: 'GET',
    path: '/api/metrics/summary',
    tag: 'metrics',
    summary: 'Throughput, success rate, durations and wait over a window; queue depth now',
    description: 'From rollups the maintenance loop writes every few seconds, so the latest minute lags a little.',
    query: metricsSummaryQuerySchema,
    response: metricsSummaryResponseSchema,
  },
  metricsErrors: {
    method: 'GET',
    path: '/api/metrics/errors',
    tag: 'metrics',
    summary: 'Failures over a window grouped by error name and message shape',
    query: metricsErrorsQuerySchema,
    response: metricsErrorsResponseSchema,
  },
  retryErrorGroup: {
    method: 'POST',
    path: '/api/metrics/errors/retry',
    tag: 'metrics',
    audit: 'job.bulk',
    summary: 'Retry every failed job of one error group',
    description: 'The group is named by the `name` and `shape` of GET /api/metrics/errors (narrowed by `type`, `queue` and `window` when given).',
    body: retryErrorGroupBodySchema,
    response: retryErrorGroupResponseSchema,
  },
  listAlertRules: {
    method: 'GET',
    path: '/api/alerts/rules',
    tag: 'alerts',
    summary: 'Alert rules',
    response: alertRulesResponseSchema,
  },
  createAlertRule: {
    method: 'POST',
    path: '/api/alerts/rules',
    tag: 'alerts',
    audit: 'alert.create',
    summary: 'Create an alert rule',
    description: 'Rules are evaluated every 15 s; one incident sends one "firing" message to the webhook and one "resolved" message when it clears.',
    body: alertRuleBodySchema,
    status: 201,
    response: alertRuleResponseSchema,
  },
  getAlertRule: {
    method: 'GET',
    path: '/api/alerts/rules/:id',
    tag: 'alerts',
    summary: 'One alert rule',
    params: alertRuleIdParamsSchema,
    response: alertRuleResponseSchema,
  },
  updateAlertRule: {
    method: 'PATCH',
    path: '/api/alerts/rules/:id',
    tag: 'alerts',
    audit: 'alert.update',
    summary: 'Change an alert rule',
    params: alertRuleIdParamsSchema,
    body: alertRulePatchBodySchema,
    response: alertRuleResponseSchema,
  },
  deleteAlertRule: {
    method: 'DELETE',
    path: '/api/alerts/rules/:id',
    tag: 'alerts',
    audit: 'alert.delete',
    summary: 'Remove an alert rule and its history',
    params: alertRuleIdParamsSchema,
    response: alertRuleDeletedResponseSchema,
  },
  testAlertRule: {
    method: 'POST',
    path: '/api/alerts/rules/:id/test',
    tag: 'alerts',
    audit: 'alert.test',
    summary: "Send a test message to the rule's webhook",
    description: 'Answers whether the webhook took it (a 2xx within 5 s). A rule without a webhookUrl answers 400.',
    params: alertRuleIdParamsSchema,
    response: alertTestResponseSchema,
  },
  alertHistory: {
    method: 'GET',
    path: '/api/alerts/history',
    tag: 'alerts',
    summary: 'Alert incidents, newest first',
    query: alertHistoryQuerySchema,
    response: alertHistoryResponseSchema,
  },
  listAudit: {
    method: 'GET',
    path: '/api/audit',
    tag: 'audit',
    summary: 'Who did what through the API, newest first',
    description:
      'One entry per change: job.enqueue (a batch is one entry with its count), job.cancel, job.retry, job.delete, job.purge, job.bulk, ' +
      'file.upload, key.create, key.revoke, token.mint, schedule.create|update|delete|trigger, alert.create|update|delete|test, queue.pause|resume.',
    query: auditQuerySchema,
    response: auditResponseSchema,
  },
  createKey: {
    method: 'POST',
    path: '/api/keys',
    tag: 'access',
    audit: 'key.create',
    summary: 'Create an API key (shown once)',
    body: createKeyBodySchema,
    status: 201,
    response: createKeyResponseSchema,
  },
  listKeys: {
    method: 'GET',
    path: '/api/keys',
    tag: 'access',
    summary: 'API keys (without secrets)',
    response: keysResponseSchema,
  },
  revokeKey: {
    method: 'DELETE',
    path: '/api/keys/:id',
    tag: 'access',
    audit: 'key.revoke',
    summary: 'Revoke an API key',
    params: keyIdParamsSchema,
    response: keyResponseSchema,
  },
  createToken: {
    method: 'POST',
    path: '/api/tokens',
    tag: 'access',
    audit: 'token.mint',
    summary: "Mint a user token that sees and acts on one owner's jobs only",
    body: createTokenBodySchema,
    status: 201,
    response: tokenResponseSchema,
  },
  events: {
    method: 'GET',
    path: '/api/events',
    tag: 'events',
    summary: 'Live job events (Server-Sent Events)',
    description:
      'Each `event: job` carries a JobEvent (see components) as data, the latest per job within a short window (100 ms by default). ' +
      'Comment lines keep the stream alive; an `event: resync` says events may have been missed (refetch what you show). ' +
      'EventSource cannot send headers: pass the key or token as `?token=` (this route only).',
    query: eventsQuerySchema,
    produces: 'text/event-stream',
  },
  health: { method: 'GET', path: '/healthz', tag: 'health', summary: 'Liveness', response: healthResponseSchema, public: true },
  ready: {
    method: 'GET',
    path: '/readyz',
    tag: 'health',
    summary: 'Readiness: the database answers (503 when not)',
    response: readyResponseSchema,
    public: true,
  },
  openapi: {
    method: 'GET',
    path: '/api/openapi.json',
    tag: 'health',
    summary: 'This OpenAPI document (browse it at /api/docs)',
    response: openApiDocumentSchema,
    public: true,
  },
  metrics: { method: 'GET', path: '/metrics', tag: 'health', summary: 'Prometheus metrics', produces: 'text/plain', public: true },
} as const satisfies Record<string, RouteDef>

export type RouteId = keyof typeof ROUTES
export type Routes = typeof ROUTES

/** The parsed (output) type of a route's body, query or params. */
export type RouteInput<R extends RouteId, K extends 'body' | 'query' | 'params'> = Routes[R] extends Record<K, infer S extends z.ZodType>
  ? z.output<S>
  : undefined
/** What a client sends for a route's body, query or params. */
export type RouteRequest<R extends RouteId, K extends 'body' | 'query' | 'params'> = Routes[R] extends Record<K, infer S extends z.ZodType>
  ? z.input<S>
  : undefined
/** A route's JSON answer. */
export type RouteResponse<R extends RouteId> = Routes[R] extends { response: infer S extends z.ZodType } ? z.output<S> : never
