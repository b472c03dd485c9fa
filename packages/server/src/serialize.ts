import type { ApiSchedule, Job as ApiJob } from '@conveyor/contracts'
import type { AlertEvent, AlertRule, ApiKeyInfo, AuditEntry, ErrorGroup, FileInfo, Job, MetricsSummary, QueueInfo, Schedule, ScheduleTick, WorkerInfo } from '@conveyor/core'

const iso = (d: Date) => d.toISOString()
const isoOrNull = (d: Date | null) => (d ? d.toISOString() : null)

/** A job as the API shows it (contracts' jobSchema): times as ISO strings. */
export function toApiJob(job: Job): ApiJob {
  const out: ApiJob = {
    id: job.id,
    queue: job.queue,
    type: job.type,
    name: job.name,
    payload: job.payload,
    status: job.status,
    priority: job.priority,
    runAt: iso(job.runAt),
    attempts: job.attempts,
    maxAttempts: job.maxAttempts,
    timeoutMs: job.timeoutMs,
    backoff: job.backoff,
    idempotencyKey: job.idempotencyKey,
    owner: job.owner,
    source: job.source,
    metadata: job.metadata,
    progress: job.progress,
    progressMessage: job.progressMessage,
    result: job.result,
    lastError: job.lastError,
    lockedBy: job.lockedBy,
    lockedAt: isoOrNull(job.lockedAt),
    leaseExpiresAt: isoOrNull(job.leaseExpiresAt),
    cancelRequested: job.cancelRequested,
    createdAt: iso(job.createdAt),
    startedAt: isoOrNull(job.startedAt),
    claimedAt: isoOrNull(job.startedAt),
    completedAt: isoOrNull(job.completedAt),
    updatedAt: iso(job.updatedAt),
  }
  if (job.attemptLog) out.attemptLog = job.attemptLog
  return out
}

export function toApiWorker(w: WorkerInfo) {
  return { ...w, startedAt: iso(w.startedAt), lastSeenAt: iso(w.lastSeenAt) }
}

export function toApiQueue(q: QueueInfo) {
  return { ...q, oldestPendingAt: isoOrNull(q.oldestPendingAt) }
}

export function toApiKey(k: ApiKeyInfo) {
  return { ...k, createdAt: iso(k.createdAt), lastUsedAt: isoOrNull(k.lastUsedAt), revokedAt: isoOrNull(k.revokedAt) }
}

/** A schedule as the API shows it, with its next five runs (none when disabled). */
export function toApiSchedule(s: Schedule, nextRuns: Date[], recentRuns?: ScheduleTick[]): ApiSchedule {
  const { lastTickAt, ...rest } = s
  return {
    ...rest,
    nextRunAt: isoOrNull(s.nextRunAt),
    lastRunAt: isoOrNull(lastTickAt),
    nextRuns: nextRuns.map(iso),
    createdAt: iso(s.createdAt),
    updatedAt: iso(s.updatedAt),
    ...(recentRuns
      ? {
          recentRuns: recentRuns.map((t) => ({
            tickAt: iso(t.tickAt),
            outcome: t.outcome,
            jobId: t.jobId,
            jobStatus: t.jobStatus,
            jobStartedAt: isoOrNull(t.jobStartedAt),
            jobCompletedAt: isoOrNull(t.jobCompletedAt),
          })),
        }
      : {}),
  }
}

export function toApiSummary(s: MetricsSummary) {
  return { ...s, series: s.series.map((p) => ({ ...p, at: iso(p.at) })) }
}

export function toApiErrorGroup(g: ErrorGroup, link: string) {
  return { ...g, firstSeen: iso(g.firstSeen), lastSeen: iso(g.lastSeen), link }
}

export function toApiAlertRule(r: AlertRule) {
  return { ...r, createdAt: iso(r.createdAt), updatedAt: iso(r.updatedAt) }
}

export function toApiAlertEvent(e: AlertEvent) {
  return { ...e, firedAt: iso(e.firedAt), resolvedAt: isoOrNull(e.resolvedAt), deliveredAt: isoOrNull(e.deliveredAt) }
}

export function toApiAuditEntry(e: AuditEntry) {
  return { ...e, at: iso(e.at) }
}

export function toApiFile(f: FileInfo) {
  return { id: f.id, name: f.name, size: f.size, contentType: f.contentType, kind: f.kind, createdAt: iso(f.createdAt) }
}
