export { Conveyor } from './conveyor.ts'
export type { ConveyorOptions } from './options.ts'
export { MEMORY } from './db/pglite-adapter.ts'
export { PgAdapter } from './db/pg-adapter.ts'
export { PgliteAdapter } from './db/pglite-adapter.ts'
export type { Db, Queryable } from './db/db.ts'
export { migrate, loadMigrations } from './db/migrate.ts'
export {
  ConveyorError,
  ErrorCodes,
  type ErrorCode,
  PermanentError,
  TimeoutError,
  CancelledError,
  ShutdownError,
  describeError,
  type ErrorInfo,
} from './errors.ts'
export { JobStatus, JOB_STATUSES, FINAL_STATUSES, TRANSITIONS, canTransition, isJobStatus, type Transition } from './jobs/states.ts'
export type { Job, AttemptLogEntry, Backoff } from './jobs/job.ts'
export { enqueueInputSchema, listFilterSchema, LIMITS, type EnqueueInput, type ListFilter } from './jobs/input.ts'
export {
  JobStore,
  isUuid,
  type EnqueueResult,
  type JobList,
  type JobStats,
  type StatsFilter,
  type Scope,
  type BulkAction,
  type WorkerInfo,
  type QueueInfo,
  type QueueLimits,
  type Completion,
  type Failure,
  type ProgressUpdate,
} from './jobs/job-store.ts'
export type { JobEvent, JobEventListener } from './events/event-bus.ts'
export { Worker, WORKER_DEFAULTS, type Handler, type Handlers, type JobContext, type WorkerOptions } from './worker/worker.ts'
export { Reaper, REAPER_DEFAULTS } from './maintenance/reaper.ts'
export { Cleaner, CLEANER_DEFAULTS, type Retention } from './maintenance/cleaner.ts'
export { defaultLogger, type Logger } from './logger.ts'
export { KeyStore, KEY_ROLES, KEY_PREFIX, hashKey, generateKey, type KeyRole, type ApiKeyInfo } from './keys/key-store.ts'
export { ScheduleStore, scheduleInputSchema, schedulePatchSchema, type Schedule, type ScheduleInput, type SchedulePatch, type ScheduleTick } from './schedules/schedule-store.ts'
export { Scheduler, SCHEDULER_DEFAULTS, type SchedulerOptions } from './schedules/scheduler.ts'
export { parseCron, nextTicks, ticksBetween } from './schedules/cron.ts'
export { MetricsStore, WINDOWS, parseWindow, type MetricsSummary, type MetricsWindow, type ErrorGroup, type Distribution, type MetricsPoint } from './metrics/metrics-store.ts'
export { Rollup, ROLLUP_DEFAULTS } from './metrics/rollup.ts'
export { BUCKET_BOUNDS_MS, quantile } from './metrics/buckets.ts'
export { AlertStore, alertRuleInputSchema, ALERT_KINDS, type AlertRule, type AlertRuleInput, type AlertEvent, type AlertKind } from './alerts/alert-store.ts'
export { AlertEvaluator, ALERTS_DEFAULTS, type Deliver } from './alerts/alert-evaluator.ts'
export { postWebhook, webhookAddressRefusal, webhookUrlRefusal, type WebhookOptions } from './alerts/webhook.ts'
export { blockedKind, inNetworks, parseAddress, parseNetworks, type ParsedAddress, type Range as AddressRange } from './net/address-policy.ts'
export { guardedLookup, type Resolve } from './net/guarded-lookup.ts'
export { AuditLog, type AuditEntry, type AuditInput } from './audit/audit-log.ts'
export { FileStore, FILE_DEFAULTS, type FileInfo, type FileData, type UploadInput } from './files/file-store.ts'
