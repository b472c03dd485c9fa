/**
 * @conveyor/client: a typed client of Conveyor's HTTP API for any JavaScript runtime with fetch (Node
 * 20, browsers, Deno, Bun), live job events, waitForJob, and HttpWorker to run handlers against a
 * remote server. React hooks are in `@conveyor/client/react`.
 */
export {
  createClient,
  ROUTE_METHODS,
  type ConveyorClient,
  type CallOptions,
  type StatusFilter,
  type MetadataMatch,
  type ListJobsQuery,
  type StatsQuery,
  type PurgeQuery,
  type EnqueueOptions,
  type BulkRequest,
  type ClaimRequest,
  type HeartbeatRequest,
  type ProgressRequest,
  type CompleteRequest,
  type FailRequest,
  type CreateKeyRequest,
  type CreateTokenRequest,
  type ScheduleRequest,
  type SchedulePatch,
  type MetricsSummaryQuery,
  type ErrorGroupsQuery,
  type RetryErrorGroupRequest,
  type AlertRuleRequest,
  type AlertRulePatch,
  type AuditQuery,
  type UploadData,
  type UploadOptions,
  type RequestInput,
} from './client.ts'
export type { ClientOptions } from './transport.ts'
export { ConveyorHttpError, isConveyorHttpError } from './http-error.ts'
export {
  SUBSCRIBE_DEFAULTS,
  toJobEvent,
  type EventFilter,
  type SubscribeOptions,
  type SubscriptionState,
  type Unsubscribe,
} from './subscribe.ts'
export { SseParser, type SseMessage } from './sse-parser.ts'
export type { StopWatching, WatchCancelsOptions } from './watch-cancels.ts'
export { FINAL_STATUSES, isFinalStatus, WaitTimeoutError, type WaitForJobOptions } from './wait-for-job.ts'
export { JOB_READ_DEFAULTS } from './job-reader.ts'
export { JobWatch, JobListWatch, type JobCallbacks, type JobWatchOptions, type JobWatchState, type JobListState } from './job-watch.ts'
export {
  HttpWorker,
  HTTP_WORKER_DEFAULTS,
  type HttpWorkerOptions,
  type HttpHandler,
  type HttpHandlers,
  type HttpJob,
  type HttpJobContext,
  type WorkerLogger,
} from './http-worker.ts'
export { PermanentError, CancelledError, TimeoutError, ShutdownError, LeaseLostError } from './worker-errors.ts'
export type { Job, JobEvent, JobStatus, ApiErrorCode } from '@conveyor/contracts'
