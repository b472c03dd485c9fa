import type { RouteId } from '@conveyor/contracts'
import type { AuditInput } from '@conveyor/core'
import type { FastifyRequest } from 'fastify'
import type { Caller } from './auth.ts'
import type { ServerContext } from './context.ts'

/** Requests authenticated by the dashboard's session cookie (the session hook marks them). */
export const SESSION_REQUESTS = new WeakSet<FastifyRequest>()

/** What a succeeded call of an audited route took and answered. */
export interface AuditSource {
  params: unknown
  query: unknown
  body: unknown
  answer: unknown
}

type Fields = Record<string, unknown>
const fields = (v: unknown): Fields => (v !== null && typeof v === 'object' ? (v as Fields) : {})
const str = (v: unknown): string | null => (typeof v === 'string' ? v : null)
/** The fields of an object that are set, so that an entry carries no `undefined`s. */
const defined = (o: Fields): Fields => Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined))

type Describe = (s: AuditSource) => { target?: string | null; details: Fields }

const enqueued: Describe = ({ answer, body }) => {
  const job = fields(fields(answer).job)
  const files = fields(body).files
  return {
    target: str(job.id),
    details: defined({
      type: job.type,
      queue: job.queue,
      owner: job.owner,
      duplicate: fields(answer).duplicate,
      files: Array.isArray(files) ? files.length : undefined,
    }),
  }
}
const changed = (key: string): Describe => ({ answer, body }) => ({
  details: { name: fields(fields(answer)[key]).name, changed: Object.keys(fields(body)) },
})

/**
 * What each audited route records beyond its action: the target (default: the `:id` or `:name` of
 * the path) and a few details, never a secret or a whole payload.
 */
const DESCRIBE: Partial<Record<RouteId, Describe>> = {
  enqueueJob: enqueued,
  enqueueJobAlias: enqueued,
  enqueueBatch: ({ answer }) => {
    const jobs = fields(answer).jobs as Fields[]
    return { target: null, details: { count: jobs.length, types: [...new Set(jobs.map((j) => j.type))].slice(0, 20) } }
  },
  purgeJobs: ({ query, answer }) => ({
    details: defined({ status: fields(query).status ?? ['completed'], olderThan: fields(query).olderThan, purged: fields(answer).purged }),
  }),
  bulkJobs: ({ body, answer }) => {
    const b = fields(body)
    return { details: defined({ action: b.action, ids: Array.isArray(b.ids) ? b.ids.length : undefined, filter: b.filter, affected: fields(answer).affected }) }
  },
  retryErrorGroup: ({ body, answer }) => ({ details: { action: 'retry', group: body, affected: fields(answer).affected } }),
  uploadFile: ({ answer }) => {
    const file = fields(fields(answer).file)
    return { target: str(file.id), details: defined({ name: file.name, size: file.size, contentType: file.contentType }) }
  },
  createKey: ({ answer }) => ({ target: str(fields(answer).id), details: { name: fields(answer).name, role: fields(answer).role } }),
  revokeKey: ({ answer }) => {
    const key = fields(fields(answer).key)
    return { details: { name: key.name, role: key.role } }
  },
  createToken: ({ body, answer }) => ({ target: str(fields(body).owner), details: { expiresAt: fields(answer).expiresAt } }),
  createSchedule: ({ answer }) => {
    const s = fields(fields(answer).schedule)
    return { target: str(s.id), details: { name: s.name, cron: s.cron, timezone: s.timezone, type: s.type } }
  },
  updateSchedule: changed('schedule'),
  triggerSchedule: ({ answer }) => ({ details: { jobId: fields(fields(answer).job).id } }),
  createAlertRule: ({ answer }) => {
    const r = fields(fields(answer).rule)
    return { target: str(r.id), details: { name: r.name, kind: r.kind } }
  },
  updateAlertRule: changed('rule'),
  testAlertRule: ({ answer }) => ({ details: defined({ delivered: fields(answer).delivered, error: fields(answer).error ?? undefined }) }),
}

/** Who the entry names: the key (by name, with its role), the session's key, or the user token's owner. */
function actorOf(caller: Caller, request: FastifyRequest): Pick<AuditInput, 'actor' | 'actorKind'> & { details: Fields } {
  if (caller.role === 'user') return { actor: caller.owner, actorKind: 'token', details: {} }
  return { actor: caller.name, actorKind: SESSION_REQUESTS.has(request) ? 'session' : 'key', details: { actorRole: caller.role, actorKeyId: caller.keyId } }
}

/**
 * How long entries wait to be written together. Measured on this (busy, shared) 2-core machine with
 * PostgreSQL, POST /api/jobs with 50 connections for 8 s: without audit ~1,750 req/s; an entry per
 * request awaited before the answer ~1,200 (-30%); written after the answer as soon as possible
 * (~25 per INSERT) ~1,220; gathered over 50 ms ~1,450-1,530 (-13%).
 */
export const AUDIT_FLUSH_MS = 50

/**
 * Writes the audit entries of succeeded changes without holding their answers: entries gathered over
 * AUDIT_FLUSH_MS are written in one INSERT, and a failed write is logged, never turned into an error
 * for a change that was made. Reads of the log first wait for this server's entries in flight, so a
 * client reads its own changes; closing the server writes what is left.
 */
export class AuditRecorder {
  #queue: { input: AuditInput; request: FastifyRequest; route: RouteId }[] = []
  #timer: ReturnType<typeof setTimeout> | null = null
  readonly #writing = new Set<Promise<void>>()

  constructor(private readonly ctx: Pick<ServerContext, 'conveyor'>) {}

  record(route: RouteId, action: string, caller: Caller, request: FastifyRequest, source: AuditSource): void {
    try {
      const who = actorOf(caller, request)
      const described = DESCRIBE[route]?.(source)
      const params = fields(source.params)
      const target = described && 'target' in described ? described.target : (str(params.id) ?? str(params.name))
      const input: AuditInput = { actor: who.actor, actorKind: who.actorKind, action, target: target ?? null, details: { ...who.details, ...described?.details } }
      this.#queue.push({ input, request, route })
      this.#timer ??= setTimeout(() => this.#flush(), AUDIT_FLUSH_MS).unref()
    } catch (err) {
      request.log.error({ err, route, action }, 'could not write the audit entry (the change itself was made)')
    }
  }

  /** Writes what is waiting now; resolves once every entry recorded so far is written (or failed and logged). */
  async settled(): Promise<void> {
    this.#flush()
    await Promise.all([...this.#writing])
  }

  #flush(): void {
    if (this.#timer) clearTimeout(this.#timer)
    this.#timer = null
    const batch = this.#queue.splice(0)
    if (batch.length === 0) return
    // Called together, the entries share one INSERT (core's AuditLog batches concurrent records).
    const write = Promise.all(
      batch.map(({ input, request, route }) =>
        this.ctx.conveyor.audit
          .record(input)
          .catch((err: unknown) => request.log.error({ err, route, action: input.action }, 'could not write the audit entry (the change itself was made)')),
      ),
    ).then(() => undefined)
    this.#writing.add(write)
    void write.finally(() => this.#writing.delete(write))
  }
}
