import type { Job as ApiJob } from '@conveyor/contracts'
import type { ApiKeyInfo, Job, QueueInfo, WorkerInfo } from '@conveyor/core'

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
