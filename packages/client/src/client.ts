import type { Job, JobEvent, JobStatus, RouteId, RouteRequest, RouteResponse } from '@conveyor/contracts'
import { type EventFilter, subscribe, type SubscribeOptions, type Unsubscribe } from './subscribe.ts'
import { type ClientOptions, Transport } from './transport.ts'
import { waitForJob, type WaitForJobOptions } from './wait-for-job.ts'
import { type StopWatching, watchCancels, type WatchCancelsOptions } from './watch-cancels.ts'

/** Options every method takes. */
export interface CallOptions {
  signal?: AbortSignal
}

/** A status filter: one status or several; `claimed` is another name for `running`. */
export type StatusFilter = JobStatus | 'claimed' | readonly (JobStatus | 'claimed')[]
/** Exact matches on metadata values, e.g. `{ project: 'p1' }`. */
export type MetadataMatch = Record<string, string | number | boolean>
type Override<A, B> = Omit<A, keyof B> & B

/** GET /api/jobs: the contract's query, with arrays, numbers, dates and objects where the wire has strings. */
export type ListJobsQuery = Override<
  NonNullable<RouteRequest<'listJobs', 'query'>>,
  {
    status?: StatusFilter
    createdAfter?: string | Date
    createdBefore?: string | Date
    metadata?: MetadataMatch
    limit?: number
    offset?: number
  }
>
export type StatsQuery = Override<NonNullable<RouteRequest<'jobStats', 'query'>>, { metadata?: MetadataMatch }>
export type PurgeQuery = Override<NonNullable<RouteRequest<'purgeJobs', 'query'>>, { status?: StatusFilter; olderThan?: string | Date }>

export type EnqueueOptions = NonNullable<RouteRequest<'enqueueJob', 'body'>>
export type BulkRequest = NonNullable<RouteRequest<'bulkJobs', 'body'>>
export type ClaimRequest = NonNullable<RouteRequest<'claimJobs', 'body'>>
export type HeartbeatRequest = NonNullable<RouteRequest<'heartbeatJob', 'body'>>
export type ProgressRequest = NonNullable<RouteRequest<'progressJob', 'body'>>
export type CompleteRequest = NonNullable<RouteRequest<'completeJob', 'body'>>
export type FailRequest = NonNullable<RouteRequest<'failJob', 'body'>>
export type ReleaseRequest = NonNullable<RouteRequest<'releaseJob', 'body'>>
export type CreateKeyRequest = NonNullable<RouteRequest<'createKey', 'body'>>
export type CreateTokenRequest = NonNullable<RouteRequest<'createToken', 'body'>>
export type ScheduleRequest = NonNullable<RouteRequest<'createSchedule', 'body'>>
export type SchedulePatch = NonNullable<RouteRequest<'updateSchedule', 'body'>>
export type MetricsSummaryQuery = NonNullable<RouteRequest<'metricsSummary', 'query'>>
export type ErrorGroupsQuery = Override<NonNullable<RouteRequest<'metricsErrors', 'query'>>, { limit?: number }>
export type RetryErrorGroupRequest = NonNullable<RouteRequest<'retryErrorGroup', 'body'>>
export type AlertRuleRequest = NonNullable<RouteRequest<'createAlertRule', 'body'>>
export type AlertRulePatch = NonNullable<RouteRequest<'updateAlertRule', 'body'>>
export type AuditQuery = Override<NonNullable<RouteRequest<'listAudit', 'query'>>, { limit?: number }>
/** What uploadFile sends as the file's bytes. */
export type UploadData = Blob | ArrayBuffer | Uint8Array | ReadableStream<Uint8Array> | string
export interface UploadOptions extends CallOptions {
  /** Default application/octet-stream (a Blob's own type when it has one). */
  contentType?: string
  /** Whose upload it is (API keys only; a user token's uploads are its owner's). */
  owner?: string
}

/** Everything a route call may carry, typed by the route table (the escape hatch: `client.request`). */
export interface RequestInput<R extends RouteId> extends CallOptions {
  params?: RouteRequest<R, 'params'>
  query?: RouteRequest<R, 'query'>
  body?: RouteRequest<R, 'body'>
}

/**
 * A typed client of Conveyor's HTTP API: one method per route, each answering the route's JSON body
 * as API.md shows it. Errors are thrown as ConveyorHttpError. Methods are plain functions (they may
 * be passed around without `this`).
 *
 * @example
 *   const client = createClient({ baseUrl: 'http://127.0.0.1:3000', key: process.env.CONVEYOR_KEY })
 *   const { job } = await client.enqueue({ type: 'scan', payload: { url } })
 *   const done = await client.waitForJob(job.id, { timeoutMs: 60_000 })
 */
export interface ConveyorClient {
  /** POST /api/jobs. Answers 201 `{ job }`, or `{ job, duplicate: true }` for an idempotency key seen before. */
  enqueue(job: EnqueueOptions, options?: CallOptions): Promise<RouteResponse<'enqueueJob'>>
  /** POST /api/jobs/batch: up to 1000 jobs, all validated before any is written. */
  enqueueBatch(jobs: readonly EnqueueOptions[], options?: CallOptions): Promise<RouteResponse<'enqueueBatch'>>
  /** GET /api/jobs: `{ jobs, count, nextCursor }`. */
  listJobs(query?: ListJobsQuery, options?: CallOptions): Promise<RouteResponse<'listJobs'>>
  /** GET /api/jobs/stats: `{ stats }`. */
  stats(query?: StatsQuery, options?: CallOptions): Promise<RouteResponse<'jobStats'>>
  /** GET /api/jobs/:id: `{ job }` with its attempt log; 404 job_not_found when the caller may not see it. */
  getJob(id: string, options?: CallOptions): Promise<RouteResponse<'getJob'>>
  /** POST /api/jobs/:id/cancel; a finished job: 409 invalid_transition. */
  cancel(id: string, options?: CallOptions): Promise<RouteResponse<'cancelJob'>>
  /** POST /api/jobs/:id/retry; a pending or running job: 409 invalid_transition. */
  retry(id: string, options?: CallOptions): Promise<RouteResponse<'retryJob'>>
  /** DELETE /api/jobs/:id: `{ deleted: id }`. */
  remove(id: string, options?: CallOptions): Promise<RouteResponse<'deleteJob'>>
  /** DELETE /api/jobs: `{ purged }` (by default the completed jobs). */
  purge(query?: PurgeQuery, options?: CallOptions): Promise<RouteResponse<'purgeJobs'>>
  /** POST /api/jobs/bulk: `{ affected }`. */
  bulk(request: BulkRequest, options?: CallOptions): Promise<RouteResponse<'bulkJobs'>>

  /** POST /api/files: uploads a file to attach at enqueue (`files: [file.id]`); over the server's limit: 413 file_too_large. */
  uploadFile(name: string, data: UploadData, options?: UploadOptions): Promise<RouteResponse<'uploadFile'>>
  /** GET /api/jobs/:id/files: `{ files }`, each with its download `url` path. */
  listJobFiles(id: string, options?: CallOptions): Promise<RouteResponse<'listJobFiles'>>
  /** GET /api/jobs/:id/files/:name: the download as a fetch Response (read it with .blob(), .arrayBuffer() or .body). */
  downloadFile(id: string, name: string, options?: CallOptions): Promise<Response>

  /** POST /api/workers/claim: `{ jobs }`, waiting up to `waitMs` for one when none is ready. */
  claim(request: ClaimRequest, options?: CallOptions): Promise<RouteResponse<'claimJobs'>>
  /** POST /api/workers/claim/end: this worker's claims waiting for work answer now, with no jobs (`{ ended }`). */
  endClaimWait(workerId: string, options?: CallOptions): Promise<RouteResponse<'endClaimWait'>>
  /** POST /api/jobs/:id/heartbeat: `{ cancelRequested }`; 409 lease_lost when this worker no longer holds it. */
  heartbeat(id: string, request: HeartbeatRequest, options?: CallOptions): Promise<RouteResponse<'heartbeatJob'>>
  /** POST /api/jobs/:id/progress. */
  progress(id: string, request: ProgressRequest, options?: CallOptions): Promise<RouteResponse<'progressJob'>>
  /** POST /api/jobs/:id/complete; 409 lease_lost when this worker no longer holds it. */
  complete(id: string, request: CompleteRequest, options?: CallOptions): Promise<RouteResponse<'completeJob'>>
  /** POST /api/jobs/:id/fail. */
  fail(id: string, request: FailRequest, options?: CallOptions): Promise<RouteResponse<'failJob'>>
  /** POST /api/jobs/:id/release: hands a claimed job back unrun (the attempt is not counted); 409 lease_lost when not held. */
  release(id: string, request: ReleaseRequest, options?: CallOptions): Promise<RouteResponse<'releaseJob'>>
  /** GET /api/workers. */
  listWorkers(options?: CallOptions): Promise<RouteResponse<'listWorkers'>>

  /** GET /api/queues. */
  listQueues(options?: CallOptions): Promise<RouteResponse<'listQueues'>>
  pauseQueue(name: string, options?: CallOptions): Promise<RouteResponse<'pauseQueue'>>
  resumeQueue(name: string, options?: CallOptions): Promise<RouteResponse<'resumeQueue'>>

  /** POST /api/keys (admin): `{ key, id, name, role }`; the key is shown this once. */
  createKey(request: CreateKeyRequest, options?: CallOptions): Promise<RouteResponse<'createKey'>>
  listKeys(options?: CallOptions): Promise<RouteResponse<'listKeys'>>
  revokeKey(id: string, options?: CallOptions): Promise<RouteResponse<'revokeKey'>>
  /** POST /api/tokens (admin, producer): a user token bound to one owner. */
  createToken(request: CreateTokenRequest, options?: CallOptions): Promise<RouteResponse<'createToken'>>

  /** GET /api/schedules: `{ schedules }`, each with nextRunAt, lastRunAt and its next five runs. */
  listSchedules(options?: CallOptions): Promise<RouteResponse<'listSchedules'>>
  /** POST /api/schedules; a taken name: 409 already_exists. */
  createSchedule(request: ScheduleRequest, options?: CallOptions): Promise<RouteResponse<'createSchedule'>>
  /** GET /api/schedules/:id: `{ schedule }` with its recent runs. */
  getSchedule(id: string, options?: CallOptions): Promise<RouteResponse<'getSchedule'>>
  /** PATCH /api/schedules/:id, e.g. `{ enabled: false }`. */
  updateSchedule(id: string, patch: SchedulePatch, options?: CallOptions): Promise<RouteResponse<'updateSchedule'>>
  /** DELETE /api/schedules/:id: `{ deleted: id }`. */
  removeSchedule(id: string, options?: CallOptions): Promise<RouteResponse<'deleteSchedule'>>
  /** POST /api/schedules/:id/trigger: enqueues one run now, `{ job }`. */
  triggerSchedule(id: string, options?: CallOptions): Promise<RouteResponse<'triggerSchedule'>>

  /** GET /api/metrics/summary: `{ summary }` over a window (default 1h). */
  metricsSummary(query?: MetricsSummaryQuery, options?: CallOptions): Promise<RouteResponse<'metricsSummary'>>
  /** GET /api/metrics/errors: `{ errors }`, failures grouped by error name and message shape. */
  errorGroups(query?: ErrorGroupsQuery, options?: CallOptions): Promise<RouteResponse<'metricsErrors'>>
  /** POST /api/metrics/errors/retry: retries every failed job of one group, `{ affected }`. */
  retryErrorGroup(request: RetryErrorGroupRequest, options?: CallOptions): Promise<RouteResponse<'retryErrorGroup'>>

  /** GET /api/alerts/rules: `{ rules }`. */
  listAlertRules(options?: CallOptions): Promise<RouteResponse<'listAlertRules'>>
  createAlertRule(request: AlertRuleRequest, options?: CallOptions): Promise<RouteResponse<'createAlertRule'>>
  getAlertRule(id: string, options?: CallOptions): Promise<RouteResponse<'getAlertRule'>>
  updateAlertRule(id: string, patch: AlertRulePatch, options?: CallOptions): Promise<RouteResponse<'updateAlertRule'>>
  removeAlertRule(id: string, options?: CallOptions): Promise<RouteResponse<'deleteAlertRule'>>
  /** POST /api/alerts/rules/:id/test: sends a test message to the rule's webhook, `{ delivered, error }`. */
  testAlertRule(id: string, options?: CallOptions): Promise<RouteResponse<'testAlertRule'>>
  /** GET /api/alerts/history: `{ events }`, newest first. */
  alertHistory(query?: { limit?: number }, options?: CallOptions): Promise<RouteResponse<'alertHistory'>>

  /** GET /api/audit: `{ entries, nextBefore }`, newest first. */
  listAudit(query?: AuditQuery, options?: CallOptions): Promise<RouteResponse<'listAudit'>>

  /** GET /healthz. */
  health(options?: CallOptions): Promise<RouteResponse<'health'>>
  /** GET /readyz: `{ ok, database }`, also when the server answers 503 (database unreachable). */
  ready(options?: CallOptions): Promise<RouteResponse<'ready'>>
  /** GET /metrics: Prometheus text. */
  metrics(options?: CallOptions): Promise<string>
  /** GET /api/openapi.json: the OpenAPI document of the server. */
  openapi(options?: CallOptions): Promise<RouteResponse<'openapi'>>

  /**
   * GET /api/events: calls `onEvent` for each job event, live. Reopens the stream with backoff when it
   * ends and polls while it can't be opened. With `ids`, each job's current state comes first.
   * Returns the function that ends the subscription.
   */
  subscribe(filter: EventFilter, onEvent: (event: JobEvent) => void, options?: SubscribeOptions): Unsubscribe
  /** Resolves with the job once it is completed, failed or cancelled (live, polling as a fallback). */
  waitForJob(id: string, options?: WaitForJobOptions): Promise<Job>
  /**
   * GET /api/workers/cancels (a worker or admin key): calls `onCancel` with the id of each running job
   * whose cancel is requested, live; HttpWorker uses it. Reopens the stream with backoff; stops for
   * good when the server refuses it (`onRefused`). Returns the function that ends it.
   */
  watchCancels(onCancel: (jobId: string) => void, options?: WatchCancelsOptions): StopWatching

  /** Calls any route of the table by id: for routes newer than this client's methods. */
  request<R extends RouteId>(route: R, input?: RequestInput<R>): Promise<RouteResponse<R>>
  /** The URL of a route, e.g. for a download link or an EventSource with `?token=`. */
  url(route: RouteId, params?: Record<string, string>, query?: object): string
}

/**
 * Which method serves each route. Typed `Record<RouteId, …>`: a route added to the contracts without
 * a method here fails the type check.
 */
export const ROUTE_METHODS = {
  enqueueJob: 'enqueue',
  enqueueJobAlias: 'enqueue',
  enqueueBatch: 'enqueueBatch',
  listJobs: 'listJobs',
  jobStats: 'stats',
  purgeJobs: 'purge',
  bulkJobs: 'bulk',
  getJob: 'getJob',
  cancelJob: 'cancel',
  retryJob: 'retry',
  deleteJob: 'remove',
  uploadFile: 'uploadFile',
  listJobFiles: 'listJobFiles',
  downloadJobFile: 'downloadFile',
  claimJobs: 'claim',
  endClaimWait: 'endClaimWait',
  heartbeatJob: 'heartbeat',
  progressJob: 'progress',
  completeJob: 'complete',
  failJob: 'fail',
  releaseJob: 'release',
  listWorkers: 'listWorkers',
  listQueues: 'listQueues',
  pauseQueue: 'pauseQueue',
  resumeQueue: 'resumeQueue',
  createKey: 'createKey',
  listKeys: 'listKeys',
  revokeKey: 'revokeKey',
  createToken: 'createToken',
  listSchedules: 'listSchedules',
  createSchedule: 'createSchedule',
  getSchedule: 'getSchedule',
  updateSchedule: 'updateSchedule',
  deleteSchedule: 'removeSchedule',
  triggerSchedule: 'triggerSchedule',
  metricsSummary: 'metricsSummary',
  metricsErrors: 'errorGroups',
  retryErrorGroup: 'retryErrorGroup',
  listAlertRules: 'listAlertRules',
  createAlertRule: 'createAlertRule',
  getAlertRule: 'getAlertRule',
  updateAlertRule: 'updateAlertRule',
  deleteAlertRule: 'removeAlertRule',
  testAlertRule: 'testAlertRule',
  alertHistory: 'alertHistory',
  listAudit: 'listAudit',
  events: 'subscribe',
  workerCancels: 'watchCancels',
  health: 'health',
  ready: 'ready',
  metrics: 'metrics',
  openapi: 'openapi',
} as const satisfies Record<RouteId, keyof ConveyorClient>

/** Creates a client. Give `key` (an API key) or `token` (a user token), or neither for a session cookie. */
export function createClient(options: ClientOptions): ConveyorClient {
  const t = new Transport(options)
  const call = <R extends RouteId>(route: R, input: { params?: Record<string, string>; query?: object; body?: unknown }, o?: CallOptions) =>
    t.call<RouteResponse<R>>(route, { ...input, ...(o?.signal ? { signal: o.signal } : {}) })
  const id = (value: string) => ({ id: value })

  const client: ConveyorClient = {
    enqueue: (job, o) => call('enqueueJob', { body: job }, o),
    enqueueBatch: (jobs, o) => call('enqueueBatch', { body: { jobs } }, o),
    listJobs: (query = {}, o) => call('listJobs', { query }, o),
    stats: (query = {}, o) => call('jobStats', { query }, o),
    getJob: (jobId, o) => call('getJob', { params: id(jobId) }, o),
    cancel: (jobId, o) => call('cancelJob', { params: id(jobId) }, o),
    retry: (jobId, o) => call('retryJob', { params: id(jobId) }, o),
    remove: (jobId, o) => call('deleteJob', { params: id(jobId) }, o),
    purge: (query = {}, o) => call('purgeJobs', { query }, o),
    bulk: (request, o) => call('bulkJobs', { body: request }, o),

    uploadFile: (name, data, o = {}) => {
      const contentType = o.contentType ?? (typeof Blob !== 'undefined' && data instanceof Blob && data.type ? data.type : 'application/octet-stream')
      const query = { name, ...(o.owner ? { owner: o.owner } : {}) }
      return t.call('uploadFile', { query, raw: { body: data as BodyInit, contentType }, ...(o.signal ? { signal: o.signal } : {}) })
    },
    listJobFiles: (jobId, o) => call('listJobFiles', { params: id(jobId) }, o),
    downloadFile: (jobId, name, o) => t.download(t.url('downloadJobFile', { id: jobId, name }), o?.signal),

    claim: (request, o) => call('claimJobs', { body: request }, o),
    endClaimWait: (workerId, o) => call('endClaimWait', { body: { workerId } }, o),
    heartbeat: (jobId, request, o) => call('heartbeatJob', { params: id(jobId), body: request }, o),
    progress: (jobId, request, o) => call('progressJob', { params: id(jobId), body: request }, o),
    complete: (jobId, request, o) => call('completeJob', { params: id(jobId), body: request }, o),
    fail: (jobId, request, o) => call('failJob', { params: id(jobId), body: request }, o),
    release: (jobId, request, o) => call('releaseJob', { params: id(jobId), body: request }, o),
    listWorkers: (o) => call('listWorkers', {}, o),

    listQueues: (o) => call('listQueues', {}, o),
    pauseQueue: (name, o) => call('pauseQueue', { params: { name } }, o),
    resumeQueue: (name, o) => call('resumeQueue', { params: { name } }, o),

    createKey: (request, o) => call('createKey', { body: request }, o),
    listKeys: (o) => call('listKeys', {}, o),
    revokeKey: (keyId, o) => call('revokeKey', { params: id(keyId) }, o),
    createToken: (request, o) => call('createToken', { body: request }, o),

    listSchedules: (o) => call('listSchedules', {}, o),
    createSchedule: (request, o) => call('createSchedule', { body: request }, o),
    getSchedule: (scheduleId, o) => call('getSchedule', { params: id(scheduleId) }, o),
    updateSchedule: (scheduleId, patch, o) => call('updateSchedule', { params: id(scheduleId), body: patch }, o),
    removeSchedule: (scheduleId, o) => call('deleteSchedule', { params: id(scheduleId) }, o),
    triggerSchedule: (scheduleId, o) => call('triggerSchedule', { params: id(scheduleId) }, o),

    metricsSummary: (query = {}, o) => call('metricsSummary', { query }, o),
    errorGroups: (query = {}, o) => call('metricsErrors', { query }, o),
    retryErrorGroup: (request, o) => call('retryErrorGroup', { body: request }, o),

    listAlertRules: (o) => call('listAlertRules', {}, o),
    createAlertRule: (request, o) => call('createAlertRule', { body: request }, o),
    getAlertRule: (ruleId, o) => call('getAlertRule', { params: id(ruleId) }, o),
    updateAlertRule: (ruleId, patch, o) => call('updateAlertRule', { params: id(ruleId), body: patch }, o),
    removeAlertRule: (ruleId, o) => call('deleteAlertRule', { params: id(ruleId) }, o),
    testAlertRule: (ruleId, o) => call('testAlertRule', { params: id(ruleId) }, o),
    alertHistory: (query = {}, o) => call('alertHistory', { query }, o),

    listAudit: (query = {}, o) => call('listAudit', { query }, o),

    health: (o) => call('health', {}, o),
    // 503 carries the same body: the answer says what is down.
    ready: (o) => t.call('ready', o?.signal ? { signal: o.signal } : {}, (s) => s === 200 || s === 503),
    metrics: (o) => t.call<string>('metrics', o?.signal ? { signal: o.signal } : {}),
    openapi: (o) => call('openapi', {}, o),

    subscribe: (filter, onEvent, options) =>
      subscribe(
        { transport: t, getJob: client.getJob, listJobs: client.listJobs },
        filter,
        onEvent,
        options,
      ),
    waitForJob: (jobId, options) => waitForJob(client, jobId, options),
    watchCancels: (onCancel, options) => watchCancels(t, onCancel, options),

    request: (route, input = {}) =>
      t.call(route, {
        ...(input.params ? { params: input.params as Record<string, string> } : {}),
        ...(input.query ? { query: input.query } : {}),
        ...(input.body !== undefined ? { body: input.body } : {}),
        ...(input.signal ? { signal: input.signal } : {}),
      }),
    url: (route, params, query) => t.url(route, params, query),
  }
  return client
}
