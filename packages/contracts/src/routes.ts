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
import { healthResponseSchema, openApiDocumentSchema, readyResponseSchema } from './health.ts'
import {
  batchBodySchema,
  batchResponseSchema,
  bulkBodySchema,
  bulkResponseSchema,
  deletedResponseSchema,
  enqueueBodySchema,
  enqueueResponseSchema,
  eventsQuerySchema,
  jobIdParamsSchema,
  jobResponseSchema,
  listQuerySchema,
  listResponseSchema,
  purgedResponseSchema,
  purgeQuerySchema,
  statsQuerySchema,
  statsResponseSchema,
} from './jobs.ts'
import { queueNameParamsSchema, queuePausedResponseSchema, queuesResponseSchema } from './queues.ts'
import {
  claimBodySchema,
  claimResponseSchema,
  completeBodySchema,
  failBodySchema,
  heartbeatBodySchema,
  heartbeatResponseSchema,
  progressBodySchema,
  workersResponseSchema,
} from './workers.ts'

/** One route of the HTTP API: what it takes and what it answers. */
export interface RouteDef {
  method: 'GET' | 'POST' | 'DELETE'
  /** Fastify-style path (`/api/jobs/:id`). */
  path: string
  summary: string
  description?: string
  tag: 'jobs' | 'workers' | 'queues' | 'access' | 'events' | 'health'
  params?: z.ZodType
  query?: z.ZodType
  body?: z.ZodType
  /** The success status (default 200). */
  status?: number
  /** The JSON answer; absent for non-JSON answers (event stream, metrics). */
  response?: z.ZodType
  /** The answer's content type when it is not JSON. */
  produces?: string
  /** Served without a key or token. */
  public?: true
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
    summary: 'Enqueue a job',
    description: 'Answers 201 with the new job, or 200 with `duplicate: true` and the earlier job with the same owner and idempotencyKey.',
    body: enqueueBodySchema,
    status: 201,
    response: enqueueResponseSchema,
  },
  enqueueJobAlias: {
    method: 'POST',
    path: '/api/jobs/enqueue',
    tag: 'jobs',
    summary: 'Enqueue a job (the same as POST /api/jobs)',
    body: enqueueBodySchema,
    status: 201,
    response: enqueueResponseSchema,
  },
  enqueueBatch: {
    method: 'POST',
    path: '/api/jobs/batch',
    tag: 'jobs',
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
    summary: 'Delete finished jobs (by default the completed ones)',
    query: purgeQuerySchema,
    response: purgedResponseSchema,
  },
  bulkJobs: {
    method: 'POST',
    path: '/api/jobs/bulk',
    tag: 'jobs',
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
    summary: 'Cancel a job',
    description: "Pending: cancelled at once. Running: its handler's signal fires and the job ends cancelled. Finished: 409.",
    params: jobIdParamsSchema,
    response: jobResponseSchema,
  },
  retryJob: {
    method: 'POST',
    path: '/api/jobs/:id/retry',
    tag: 'jobs',
    summary: 'Run a failed, cancelled or completed job again',
    params: jobIdParamsSchema,
    response: jobResponseSchema,
  },
  deleteJob: {
    method: 'DELETE',
    path: '/api/jobs/:id',
    tag: 'jobs',
    summary: 'Delete a job (not while it runs)',
    params: jobIdParamsSchema,
    response: deletedResponseSchema,
  },
  claimJobs: {
    method: 'POST',
    path: '/api/workers/claim',
    tag: 'workers',
    summary: 'Claim jobs to run (long-poll with waitMs)',
    body: claimBodySchema,
    response: claimResponseSchema,
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
  listWorkers: {
    method: 'GET',
    path: '/api/workers',
    tag: 'workers',
    summary: 'Live workers',
    response: workersResponseSchema,
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
    summary: 'Stop claiming from a queue',
    params: queueNameParamsSchema,
    response: queuePausedResponseSchema,
  },
  resumeQueue: {
    method: 'POST',
    path: '/api/queues/:name/resume',
    tag: 'queues',
    summary: 'Claim from a paused queue again',
    params: queueNameParamsSchema,
    response: queuePausedResponseSchema,
  },
  createKey: {
    method: 'POST',
    path: '/api/keys',
    tag: 'access',
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
    summary: 'Revoke an API key',
    params: keyIdParamsSchema,
    response: keyResponseSchema,
  },
  createToken: {
    method: 'POST',
    path: '/api/tokens',
    tag: 'access',
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
