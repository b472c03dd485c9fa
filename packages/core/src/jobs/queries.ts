import { quoteIdent } from '../db/db.ts'
import { JOB_COLUMNS, jobJson } from './job.ts'
import { TRANSITIONS } from './states.ts'

/**
 * Every SQL statement Conveyor runs, named noun-first, built once per schema. Values are always $n
 * parameters; the quoted schema name is the only thing interpolated (plus fixed fragments of this
 * file). Statements that change job states publish their events in the same statement (see
 * `notifying`), so events cost one NOTIFY per statement, never one per row.
 */
export type Queries = ReturnType<typeof buildQueries>

/** The filter of list, stats, purge and bulk actions: params $o+1 … $o+8. */
export const FILTER_PARAMS = 8
function filterWhere(s: string, o: number): string {
  const p = (n: number) => `$${o + n}`
  return `(${p(1)}::text[] IS NULL OR status = ANY(${p(1)}::text[]::${s}.job_status[]))
    AND (${p(2)}::text IS NULL OR type = ${p(2)})
    AND (${p(3)}::text IS NULL OR queue = ${p(3)})
    AND (${p(4)}::text IS NULL OR owner = ${p(4)})
    AND (${p(5)}::text IS NULL OR name ILIKE ${p(5)} OR type ILIKE ${p(5)} OR payload::text ILIKE ${p(5)}
      OR last_error->>'message' ILIKE ${p(5)})
    AND (${p(6)}::timestamptz IS NULL OR created_at >= ${p(6)})
    AND (${p(7)}::timestamptz IS NULL OR created_at < ${p(7)})
    AND (${p(8)}::jsonb IS NULL OR metadata @> ${p(8)})`
}

/** Orders and keyset conditions of the three list sorts; the cursor is $11, a jsonb { t, p, id }. */
const SORTS = {
  newest: { order: 'created_at DESC, id DESC', after: '(created_at, id) < (CT, CID)' },
  oldest: { order: 'created_at ASC, id ASC', after: '(created_at, id) > (CT, CID)' },
  queue: { order: 'priority DESC, run_at ASC, id ASC', after: '(priority < CP OR (priority = CP AND (run_at, id) > (CT, CID)))' },
} as const
export type SortName = keyof typeof SORTS

/** One job's event as sent in a NOTIFY (events/event-bus.ts reads it), from a row of jobs. */
/** A progress message is cut to this many characters in events (the job keeps it whole). */
export const EVENT_MESSAGE_CHARS = 500
const EVENT_ROW = `json_build_array(id, status, queue, type, owner, progress, left(progress_message, ${EVENT_MESSAGE_CHARS}), cancel_requested, updated_at)::text`

/**
 * Wraps statements whose last CTE is `changed` (rows of jobs) so that the same statement publishes
 * one event per changed row, packed into as few NOTIFYs as the payload limit (under 8000 bytes)
 * allows. Rows of up to 1000 bytes are packed by their running total of bytes into chunks of 6000,
 * so a chunk holds at most 6000 + 1000 bytes; a larger row is sent alone. A row is at most ~6,200
 * bytes: CHECK constraints bound every text it carries in characters, JSON can spend 6 bytes on one
 * (`\u0001`), and the progress message is cut to EVENT_MESSAGE_CHARS. Sizes are counted in bytes:
 * counting characters, a few rows of CJK or escaped text overflowed one NOTIFY and failed the
 * whole statement ("payload string too long").
 *
 * Each row's event text is built once (`ev` is MATERIALIZED; inlined, PostgreSQL built it again for
 * every reference) and the running total follows the rows as they come (`ROWS UNBOUNDED PRECEDING`,
 * no ORDER BY, so no sort): enqueueMany ×1000 ~30 % faster, the drain's server CPU per job lower
 * (`npm run bench` A/B in bench/README.md, "Where the time goes").
 */
function notifying(ctes: string, channelParam: string, select = 'changed.*'): string {
  return `WITH ${ctes},
  ev AS MATERIALIZED (SELECT e, octet_length(e) AS n FROM (SELECT ${EVENT_ROW} AS e FROM changed) r),
  chunked AS (SELECT e, CASE WHEN n > 1000 THEN -row_number() OVER w
      ELSE sum(CASE WHEN n > 1000 THEN 0 ELSE n + 1 END) OVER w / 6000 END AS c
    FROM ev WINDOW w AS (ROWS UNBOUNDED PRECEDING)),
  notified AS (SELECT pg_notify(${channelParam}, '[' || string_agg(e, ',') || ']') FROM chunked GROUP BY c)
  SELECT ${select}, (SELECT count(*) FROM notified) AS _events FROM changed`
}

/**
 * The claim's last CTE, shared by the fast and the fair claim: the chosen `next` jobs start an attempt
 * ($1 worker, $5 lease ms). `id = ANY(ARRAY(…))` rather than a join: the claim runs with one plan for
 * every limit (prepared 'generic', job-store.ts), and not knowing $4 the planner expected thousands
 * of rows and joined them by a scan of the whole table; looked up by id, the plan is right for any.
 */
const claimChanged = (J: string) => `changed AS (
        UPDATE ${J} j SET status = 'running', attempts = j.attempts + 1, locked_by = $1, locked_at = now(),
          lease_expires_at = now() + $5 * interval '1 millisecond', started_at = now(), updated_at = now(),
          progress = 0, progress_message = NULL
        WHERE j.id = ANY(ARRAY(SELECT id FROM next))
        RETURNING j.*
      )`

/** The retry transition's SET clause (one job or many): back to pending, attempts from 0. */
const RETRY_SET = `status = 'pending', attempts = 0, run_at = now(), completed_at = NULL, cancel_requested = false,
  progress = 0, progress_message = NULL, result = NULL, locked_by = NULL, locked_at = NULL,
  lease_expires_at = NULL, updated_at = now()`

/** The cancel transition's SET clause: a pending job ends now; a running one is asked to stop. */
const CANCEL_SET = `status = CASE WHEN j.status = 'pending' THEN 'cancelled' ELSE j.status END,
  cancel_requested = (j.status = 'running'),
  completed_at = CASE WHEN j.status = 'pending' THEN now() ELSE j.completed_at END,
  updated_at = now()`

/** JOB_COLUMNS qualified by a table alias. */
const cols = (alias: string) => JOB_COLUMNS.replace(/(\w+)/g, `${alias}.$1`)

const list = (states: readonly string[]) => `'{${states.join(',')}}'`

/**
 * The SET clause that ends an attempt as a failure: back to pending while attempts are left and the
 * error is retryable, else failed; cancelled when a cancel was asked. `err`, `retryable` and
 * `outcome` are SQL expressions of the statement using it.
 */
function failSet(s: string, err: string, retryable: string, outcome: string): string {
  const retry = `(NOT j.cancel_requested AND ${retryable} AND j.attempts < j.max_attempts)`
  return `status = CASE WHEN j.cancel_requested THEN 'cancelled' WHEN ${retry} THEN 'pending' ELSE 'failed' END::${s}.job_status,
    run_at = CASE WHEN ${retry} THEN now() + ${s}.retry_delay(j.backoff, j.attempts) ELSE j.run_at END,
    completed_at = CASE WHEN ${retry} THEN NULL ELSE now() END,
    last_error = ${err} || jsonb_build_object('at', now()),
    attempt_log = j.attempt_log || jsonb_build_array(jsonb_build_object('attempt', j.attempts, 'workerId', j.locked_by,
      'startedAt', j.started_at, 'endedAt', now(),
      'outcome', CASE WHEN j.cancel_requested THEN 'cancelled' ELSE ${outcome} END, 'error', ${err})),
    lease_expires_at = NULL,
    updated_at = now()`
}

export function buildQueries(schema: string) {
  const s = quoteIdent(schema)
  const J = `${s}.jobs`
  return {
    /**
     * $1 jsonb array of job rows, $2 channel. Skips rows whose (owner, idempotencyKey) exists.
     * Returns id, run_at and created_at of the rows inserted.
     */
    jobInsertMany: notifying(
      `input AS (
        SELECT * FROM jsonb_to_recordset($1::jsonb) AS x(id uuid, queue text, type text, name text, payload jsonb,
          priority int, run_at timestamptz, delay_ms bigint, max_attempts int, timeout_ms int, backoff jsonb,
          idempotency_key text, owner text, source text, metadata jsonb)
      ), changed AS (
        INSERT INTO ${J} (id, queue, type, name, payload, priority, run_at, max_attempts, timeout_ms, backoff,
          idempotency_key, owner, source, metadata)
        SELECT id, coalesce(queue, 'default'), type, name, payload, coalesce(priority, 0),
          coalesce(run_at, now() + coalesce(delay_ms, 0) * interval '1 millisecond'), coalesce(max_attempts, 3),
          timeout_ms, backoff, idempotency_key, owner, coalesce(source, 'api'), coalesce(metadata, '{}')
        FROM input
        ON CONFLICT (owner, idempotency_key) WHERE idempotency_key IS NOT NULL DO NOTHING
        RETURNING ${J}.*
      )`,
      '$2',
      // Only what the database decided: the caller has the rest (job-store.ts insertedJob).
      'changed.id, changed.run_at, changed.created_at',
    ),
    /**
     * One job, as jobInsertMany takes it but in plain parameters ($1 id … $15 metadata, $16 channel).
     * A lone enqueue (one at a time, nothing to share a statement with) is a third faster this way than
     * through jsonb_to_recordset and the chunked NOTIFY: ~2,200 → ~3,000 inserts/s (PostgreSQL 15).
     */
    jobInsertOne: `WITH changed AS (
        INSERT INTO ${J} (id, queue, type, name, payload, priority, run_at, max_attempts, timeout_ms, backoff,
          idempotency_key, owner, source, metadata)
        VALUES ($1, $2, $3, $4, $5::jsonb, $6, coalesce($7::timestamptz, now() + coalesce($8::bigint, 0) * interval '1 millisecond'),
          $9, $10, $11::jsonb, $12, $13, $14, $15::jsonb)
        ON CONFLICT (owner, idempotency_key) WHERE idempotency_key IS NOT NULL DO NOTHING
        RETURNING *
      ) SELECT id, run_at, created_at, pg_notify($16, '[' || ${EVENT_ROW} || ']') AS _event FROM changed`,
    /** $1 jsonb array of { owner, idempotency_key }: the jobs already holding those keys. */
    jobGetByIdempotencyKeys: `SELECT ${cols('j')} FROM ${J} j
      JOIN jsonb_to_recordset($1::jsonb) AS x(owner text, idempotency_key text)
        ON j.idempotency_key = x.idempotency_key AND j.owner IS NOT DISTINCT FROM x.owner`,
    /** $1 ids: many jobs by id in one statement (concurrent get() calls share it). */
    jobGetMany: `SELECT ${JOB_COLUMNS}, attempt_log FROM ${J} WHERE id = ANY($1::uuid[])`,
    jobStatusGet: `SELECT status FROM ${J} WHERE id = $1 AND ($2::text IS NULL OR owner = $2)`,

    /** Filter $1-$8, then $9 limit, $10 offset, $11 cursor (jsonb { t, p, id } or NULL). */
    jobList(sort: SortName): string {
      const o = SORTS[sort]
      const after = o.after
        .replaceAll('CT', `($11::jsonb->>'t')::timestamptz`)
        .replaceAll('CP', `($11::jsonb->>'p')::int`)
        .replaceAll('CID', `($11::jsonb->>'id')::uuid`)
      return `SELECT ${JOB_COLUMNS} FROM ${J} WHERE ${filterWhere(s, 0)}
        AND ($11::jsonb IS NULL OR ${after})
        ORDER BY ${o.order} LIMIT $9 OFFSET $10`
    },
    jobCount: `SELECT count(*) AS n FROM ${J} WHERE ${filterWhere(s, 0)}`,
    /** Counts by status for the filter $1-$8; `scheduled` are pending jobs whose runAt is still ahead. */
    jobStats: `SELECT status::text AS status, count(*) AS n,
        count(*) FILTER (WHERE status = 'pending' AND run_at > now()) AS scheduled
      FROM ${J} WHERE ${filterWhere(s, 0)} GROUP BY status`,

    /**
     * $1 worker, $2 queues (NULL: all), $3 types (NULL: all), $4 limit, $5 lease ms, $6 channel.
     *
     * Named queues are read one at a time (`by_queue`), each with `queue = <one name>` so that
     * jobs_claim_idx returns them already in claim order and the scan stops after $4 rows; the best
     * $4 of all named queues are then taken. `queue = ANY($2)` instead made PostgreSQL read and sort
     * every pending job of those queues on each claim: 52–84 ms per claim on 20,000 pending jobs
     * against 0.35 ms (EXPLAIN ANALYZE, PostgreSQL 15), which capped a drain at ~1,500 jobs/s.
     * Rows a queue's scan locked beyond the final $4 are not changed, and unlock when the statement
     * ends. With no queues named ($2 NULL, `any_queue`) every pending job is still read and sorted.
     */
    jobClaim: notifying(
      `by_queue AS (
        SELECT c.id, c.priority, c.run_at FROM (SELECT DISTINCT unnest($2::text[]) AS queue) wanted
        CROSS JOIN LATERAL (
          SELECT id, priority, run_at FROM ${J}
          WHERE queue = wanted.queue AND status = 'pending' AND run_at <= now()
            AND ($3::text[] IS NULL OR type = ANY($3::text[]))
          ORDER BY priority DESC, run_at, id
          LIMIT $4
          FOR UPDATE SKIP LOCKED
        ) c
        WHERE NOT EXISTS (SELECT 1 FROM ${s}.queues q WHERE q.name = wanted.queue AND q.paused)
      ), any_queue AS (
        SELECT id, priority, run_at FROM ${J}
        WHERE $2::text[] IS NULL AND status = 'pending' AND run_at <= now()
          AND ($3::text[] IS NULL OR type = ANY($3::text[]))
          AND NOT EXISTS (SELECT 1 FROM ${s}.queues q WHERE q.name = ${J}.queue AND q.paused)
        ORDER BY priority DESC, run_at, id
        LIMIT $4
        FOR UPDATE SKIP LOCKED
      ), next AS (
        SELECT id FROM (SELECT * FROM by_queue UNION ALL SELECT * FROM any_queue) candidates
        ORDER BY priority DESC, run_at, id
        LIMIT $4
      ), ${claimChanged(J)}`,
      '$6',
      `${jobJson('changed')} AS job`,
    ),
    /**
     * Fair claim from one queue with a per-owner limit: $1 worker, $2 queue, $3 types, $4 limit,
     * $5 lease ms, $6 channel, $7 running jobs allowed per owner. Each owner with pending jobs offers
     * its next (limit - running) jobs; the best of those in claim order are claimed. Jobs without an
     * owner are not limited. Run inside a transaction holding queueFairLock, so two claimers cannot
     * both count an owner's running jobs before either claims.
     */
    jobClaimFair: notifying(
      `owners AS (
        WITH RECURSIVE o AS (
          (SELECT owner FROM ${J} WHERE status = 'pending' AND queue = $2 AND owner IS NOT NULL ORDER BY owner LIMIT 1)
          UNION ALL
          SELECT (SELECT j.owner FROM ${J} j WHERE j.status = 'pending' AND j.queue = $2 AND j.owner > o.owner
                  ORDER BY j.owner LIMIT 1)
          FROM o WHERE o.owner IS NOT NULL
        ) SELECT owner FROM o WHERE owner IS NOT NULL
      ), running AS (
        SELECT owner, count(*) AS n FROM ${J} WHERE status = 'running' AND queue = $2 AND owner IS NOT NULL GROUP BY owner
      ), candidates AS (
        SELECT c.id, c.priority, c.run_at FROM owners o LEFT JOIN running r ON r.owner = o.owner
        CROSS JOIN LATERAL (
          SELECT id, priority, run_at FROM ${J}
          WHERE status = 'pending' AND queue = $2 AND owner = o.owner AND run_at <= now()
            AND ($3::text[] IS NULL OR type = ANY($3::text[]))
          ORDER BY priority DESC, run_at, id
          LIMIT greatest(0, least($4::int, $7::int - coalesce(r.n, 0)::int))
        ) c
        UNION ALL
        (SELECT id, priority, run_at FROM ${J}
          WHERE status = 'pending' AND queue = $2 AND owner IS NULL AND run_at <= now()
            AND ($3::text[] IS NULL OR type = ANY($3::text[]))
          ORDER BY priority DESC, run_at, id LIMIT $4)
      ), next AS (
        SELECT j.id FROM ${J} j
        JOIN (SELECT id FROM candidates ORDER BY priority DESC, run_at, id LIMIT $4) pick ON pick.id = j.id
        WHERE j.status = 'pending' AND NOT EXISTS (SELECT 1 FROM ${s}.queues q WHERE q.name = $2 AND q.paused)
        FOR UPDATE OF j SKIP LOCKED
      ), ${claimChanged(J)}`,
      '$6',
      `${jobJson('changed')} AS job`,
    ),
    /** $1 lock name: serialises fair claims of one queue (transaction-scoped). */
    queueFairLock: `SELECT pg_advisory_xact_lock(hashtext($1))`,
    /** Queues that have fairness limits. */
    queueLimitsList: `SELECT name, owner_concurrency, owner_enqueues_per_minute FROM ${s}.queues
      WHERE owner_concurrency IS NOT NULL OR owner_enqueues_per_minute IS NOT NULL`,
    /** $1 name, $2 owner concurrency, $3 owner enqueues per minute (NULL: no limit). */
    queueSetLimits: `INSERT INTO ${s}.queues (name, owner_concurrency, owner_enqueues_per_minute) VALUES ($1, $2, $3)
      ON CONFLICT (name) DO UPDATE SET owner_concurrency = EXCLUDED.owner_concurrency,
        owner_enqueues_per_minute = EXCLUDED.owner_enqueues_per_minute, updated_at = now()
      RETURNING name, paused, owner_concurrency, owner_enqueues_per_minute`,
    /** $1 jsonb [{ owner, queue }]: enqueues per (owner, queue) in the last minute. */
    jobOwnerRecentCount: `SELECT x.owner, x.queue, (SELECT count(*) FROM ${J} j WHERE j.owner = x.owner AND j.queue = x.queue
        AND j.created_at > now() - interval '1 minute')::int AS n,
        (SELECT min(j.created_at) FROM ${J} j WHERE j.owner = x.owner AND j.queue = x.queue
        AND j.created_at > now() - interval '1 minute') AS oldest
      FROM jsonb_to_recordset($1::jsonb) AS x(owner text, queue text)`,
    /**
     * $1 worker, $2 jsonb [{ id, attempt (NULL: any), result }], $3 channel. Fenced on worker + attempt.
     * The jobs are found by primary key (`id = ANY(…)`), never through an index on status (hence
     * `status::text`, which no index matches): statistics that think few jobs run made PostgreSQL
     * read every row version indexed as running — each claim leaves one, dead once its job ends — and
     * with the plan kept once prepared, completions took up to 370 ms in a drain. The same in fail,
     * progress and heartbeat.
     */
    jobCompleteMany: notifying(
      `input AS (SELECT * FROM jsonb_to_recordset($2::jsonb) AS x(id uuid, attempt int, result jsonb)),
      changed AS (
        UPDATE ${J} j SET status = 'completed', result = input.result, progress = 100, completed_at = now(),
          updated_at = now(), lease_expires_at = NULL,
          attempt_log = j.attempt_log || jsonb_build_array(jsonb_build_object('attempt', j.attempts,
            'workerId', j.locked_by, 'startedAt', j.started_at, 'endedAt', now(), 'outcome', 'completed'))
        FROM input
        WHERE j.id = input.id AND j.id = ANY(ARRAY(SELECT id FROM input)) AND j.status::text = 'running' AND j.locked_by = $1
          AND (input.attempt IS NULL OR j.attempts = input.attempt)
        RETURNING j.*
      )`,
      '$3',
      'changed.id, changed.status',
    ),
    /** $1 worker, $2 jsonb [{ id, attempt, error, retryable, outcome }], $3 channel. Fenced like complete. */
    jobFailMany: notifying(
      `input AS (SELECT * FROM jsonb_to_recordset($2::jsonb) AS x(id uuid, attempt int, error jsonb, retryable boolean, outcome text)),
      changed AS (
        UPDATE ${J} j SET ${failSet(s, 'input.error', 'input.retryable', 'input.outcome')}
        FROM input
        WHERE j.id = input.id AND j.id = ANY(ARRAY(SELECT id FROM input)) AND j.status::text = 'running' AND j.locked_by = $1
          AND (input.attempt IS NULL OR j.attempts = input.attempt)
        RETURNING j.*
      )`,
      '$3',
      'changed.id, changed.status, changed.run_at',
    ),
    /** $1 worker, $2 ids, $3 attempts (NULL entries: any), $4 lease ms. No event: not a state change. */
    jobHeartbeat: `UPDATE ${J} j SET lease_expires_at = now() + $4 * interval '1 millisecond'
      FROM unnest($2::uuid[], $3::int[]) AS x(id, attempt)
      WHERE j.id = x.id AND j.id = ANY($2::uuid[]) AND j.status::text = 'running' AND j.locked_by = $1 AND (x.attempt IS NULL OR j.attempts = x.attempt)
      RETURNING j.id, j.cancel_requested`,
    /** $1 worker, $2 jsonb [{ id, attempt, progress, message }], $3 channel. */
    jobProgressMany: notifying(
      `input AS (SELECT * FROM jsonb_to_recordset($2::jsonb) AS x(id uuid, attempt int, progress int, message text)),
      changed AS (
        UPDATE ${J} j SET progress = input.progress, progress_message = coalesce(input.message, j.progress_message),
          updated_at = now()
        FROM input
        WHERE j.id = input.id AND j.id = ANY(ARRAY(SELECT id FROM input)) AND j.status::text = 'running' AND j.locked_by = $1
          AND (input.attempt IS NULL OR j.attempts = input.attempt)
        RETURNING j.*
      )`,
      '$3',
      'changed.id',
    ),
    /**
     * A stopping worker hands jobs back: $1 worker, $2 ids, $3 channel, $4 attempt (NULL: any; the
     * HTTP route releases one job and fences on its attempt). The attempt is not counted.
     * A job whose cancel was asked is not handed back but cancelled (else another worker ran it).
     */
    jobRelease: notifying(
      `changed AS (
        UPDATE ${J} j SET status = CASE WHEN j.cancel_requested THEN 'cancelled' ELSE 'pending' END::${s}.job_status,
          attempts = CASE WHEN j.cancel_requested THEN j.attempts ELSE greatest(j.attempts - 1, 0) END,
          completed_at = CASE WHEN j.cancel_requested THEN now() END,
          locked_by = NULL, locked_at = NULL, lease_expires_at = NULL, run_at = now(), updated_at = now(),
          attempt_log = j.attempt_log || jsonb_build_array(jsonb_build_object('attempt', j.attempts, 'workerId', j.locked_by,
            'startedAt', j.started_at, 'endedAt', now(), 'outcome', CASE WHEN j.cancel_requested THEN 'cancelled' ELSE 'released' END))
        WHERE j.id = ANY($2::uuid[]) AND j.status = ANY(${list(TRANSITIONS.release.from)}) AND j.locked_by = $1
          AND ($4::int IS NULL OR j.attempts = $4)
        RETURNING j.*
      )`,
      '$3',
      'changed.id',
    ),
    /** The reaper: running jobs whose lease ran out. $1 limit, $2 channel. */
    jobReapExpired: notifying(
      `expired AS (
        SELECT id FROM ${J} WHERE status = 'running' AND lease_expires_at < now()
        ORDER BY lease_expires_at LIMIT $1 FOR UPDATE SKIP LOCKED
      ), changed AS (
        UPDATE ${J} j SET ${failSet(
          s,
          `jsonb_build_object('name', 'LeaseExpiredError', 'message', 'worker ' || j.locked_by || ' stopped renewing its lease (it died, hung or lost the database)')`,
          'true',
          `'lease_expired'`,
        )}
        FROM expired WHERE j.id = expired.id
        RETURNING j.*
      )`,
      '$2',
      'changed.id, changed.status',
    ),
    /** $1 id, $2 owner scope, $3 channel. Pending → cancelled; running → cancelRequested (its worker ends it). */
    jobCancel: notifying(
      `changed AS (
        UPDATE ${J} j SET ${CANCEL_SET}
        WHERE j.id = $1 AND ($2::text IS NULL OR j.owner = $2) AND j.status = ANY(${list(TRANSITIONS.cancel.from)})
        RETURNING j.*
      )`,
      '$3',
      cols('changed'),
    ),
    /** $1 id, $2 owner scope, $3 channel. */
    jobRetry: notifying(
      `changed AS (
        UPDATE ${J} j SET ${RETRY_SET}
        WHERE j.id = $1 AND ($2::text IS NULL OR j.owner = $2) AND j.status = ANY(${list(TRANSITIONS.retry.from)})
        RETURNING j.*
      )`,
      '$3',
      cols('changed'),
    ),
    /** $1 id, $2 owner scope. */
    jobDelete: `DELETE FROM ${J} WHERE id = $1 AND ($2::text IS NULL OR owner = $2)
      AND status = ANY(${list(TRANSITIONS.remove.from)}) RETURNING id`,
    /** Filter $1-$8 (status required by the caller), $9 olderThan (NULL: any age). */
    jobPurge: `WITH gone AS (DELETE FROM ${J} WHERE ${filterWhere(s, 0)}
        AND status = ANY(${list(TRANSITIONS.remove.from)})
        AND ($9::timestamptz IS NULL OR coalesce(completed_at, created_at) < $9) RETURNING 1)
      SELECT count(*) AS n FROM gone`,

    /** Bulk actions: filter $1-$8, $9 ids (NULL: by filter only), $10 channel. */
    jobBulkRetry: notifying(
      `changed AS (
        UPDATE ${J} j SET ${RETRY_SET}
        WHERE ${filterWhere(s, 0)} AND ($9::uuid[] IS NULL OR j.id = ANY($9::uuid[]))
          AND j.status = ANY(${list(TRANSITIONS.retry.from)})
        RETURNING j.*
      )`,
      '$10',
      'changed.id',
    ),
    jobBulkCancel: notifying(
      `changed AS (
        UPDATE ${J} j SET ${CANCEL_SET}
        WHERE ${filterWhere(s, 0)} AND ($9::uuid[] IS NULL OR j.id = ANY($9::uuid[]))
          AND j.status = ANY(${list(TRANSITIONS.cancel.from)}) AND NOT j.cancel_requested
        RETURNING j.*
      )`,
      '$10',
      'changed.id',
    ),
    jobBulkDelete: `WITH gone AS (DELETE FROM ${J} WHERE ${filterWhere(s, 0)} AND ($9::uuid[] IS NULL OR id = ANY($9::uuid[]))
        AND status = ANY(${list(TRANSITIONS.remove.from)}) RETURNING 1)
      SELECT count(*) AS n FROM gone`,

    /** The cleaner: $1 status, $2 retention ms, $3 batch size. */
    jobDeleteFinished: `WITH gone AS (DELETE FROM ${J} WHERE id IN (
        SELECT id FROM ${J} WHERE status = $1::text::${s}.job_status AND completed_at < now() - $2 * interval '1 millisecond'
        LIMIT $3)
      RETURNING 1) SELECT count(*) AS n FROM gone`,

    /** Fresh planner statistics (table-stats.ts); PGlite, which has no autovacuum, vacuums too. */
    jobsAnalyze: `ANALYZE ${J}`,
    jobsVacuumAnalyze: `VACUUM ANALYZE ${J}`,
    /** The planner's row count of the jobs table (as of its last ANALYZE), and the pending jobs (counted up to 100,000). */
    jobsRowEstimate: `SELECT greatest(reltuples, 0)::float8 AS rows,
        (SELECT count(*) FROM (SELECT 1 FROM ${J} WHERE status = 'pending' LIMIT 100000) p)::float8 AS pending
      FROM pg_class WHERE oid = '${J}'::regclass`,
    /** PostgreSQL's counts of every process's changes to the jobs table (PGlite keeps none). */
    jobsChangeCounts: `SELECT n_mod_since_analyze::float8 AS modified, n_tup_ins::float8 AS inserted
      FROM pg_stat_user_tables WHERE relid = '${J}'::regclass`,

    queueSetPaused: `INSERT INTO ${s}.queues (name, paused) VALUES ($1, $2)
      ON CONFLICT (name) DO UPDATE SET paused = EXCLUDED.paused, updated_at = now() RETURNING name, paused`,
    /** Every queue that has jobs or was paused, with counts by status. */
    queueList: `WITH counts AS (
        SELECT queue, status::text AS status, count(*) AS n FROM ${J} GROUP BY queue, status
      ), names AS (SELECT DISTINCT queue AS name FROM counts UNION SELECT name FROM ${s}.queues)
      SELECT names.name, coalesce(q.paused, false) AS paused,
        coalesce((SELECT jsonb_object_agg(status, n) FROM counts WHERE counts.queue = names.name), '{}') AS counts,
        (SELECT min(run_at) FROM ${J} WHERE queue = names.name AND status = 'pending' AND run_at <= now()) AS oldest_pending_at
      FROM names LEFT JOIN ${s}.queues q ON q.name = names.name ORDER BY names.name`,

    /** $1 id, $2 queues, $3 types, $4 concurrency, $5 running, $6 hostname, $7 pid. */
    workerUpsert: `INSERT INTO ${s}.workers (id, queues, types, concurrency, running, hostname, pid)
      VALUES ($1, $2, $3, $4, $5, $6, $7)
      ON CONFLICT (id) DO UPDATE SET queues = EXCLUDED.queues, types = EXCLUDED.types,
        concurrency = EXCLUDED.concurrency, running = EXCLUDED.running, last_seen_at = now()`,
    workerDelete: `DELETE FROM ${s}.workers WHERE id = $1`,
    /** Workers seen within $1 ms. */
    workerListLive: `SELECT w.*, (SELECT count(*) FROM ${J} j WHERE j.status = 'running' AND j.locked_by = w.id) AS running_jobs
      FROM ${s}.workers w WHERE w.last_seen_at > now() - $1 * interval '1 millisecond' ORDER BY w.started_at`,
    /** Forget workers not seen for $1 ms. */
    workerDeleteStale: `DELETE FROM ${s}.workers WHERE last_seen_at < now() - $1 * interval '1 millisecond'`,
  }
}
