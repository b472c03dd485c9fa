-- Conveyor's first schema: jobs, queues, workers.
-- :SCHEMA is replaced by the quoted schema name; nothing else is ever interpolated.
-- Times are timestamptz(3): milliseconds, as JavaScript's Date holds them, so a keyset cursor built
-- from a job's createdAt names exactly that row.

CREATE TYPE :SCHEMA.job_status AS ENUM ('pending', 'running', 'completed', 'failed', 'cancelled');

CREATE TABLE :SCHEMA.jobs (
  id               uuid PRIMARY KEY,
  queue            text NOT NULL DEFAULT 'default' CHECK (length(queue) BETWEEN 1 AND 128),
  type             text NOT NULL CHECK (length(type) BETWEEN 1 AND 128),
  name             text CHECK (length(name) <= 256),
  payload          jsonb,
  status           :SCHEMA.job_status NOT NULL DEFAULT 'pending',
  priority         integer NOT NULL DEFAULT 0 CHECK (priority BETWEEN -1000000 AND 1000000),
  run_at           timestamptz(3) NOT NULL DEFAULT now(),
  attempts         integer NOT NULL DEFAULT 0 CHECK (attempts >= 0),
  max_attempts     integer NOT NULL DEFAULT 3 CHECK (max_attempts BETWEEN 1 AND 1000),
  timeout_ms       integer CHECK (timeout_ms > 0),
  backoff          jsonb,
  idempotency_key  text CHECK (length(idempotency_key) BETWEEN 1 AND 256),
  owner            text CHECK (length(owner) BETWEEN 1 AND 256),
  source           text NOT NULL DEFAULT 'api' CHECK (length(source) BETWEEN 1 AND 64),
  metadata         jsonb NOT NULL DEFAULT '{}',
  progress         smallint NOT NULL DEFAULT 0 CHECK (progress BETWEEN 0 AND 100),
  progress_message text CHECK (length(progress_message) <= 1000),
  result           jsonb,
  last_error       jsonb,
  -- One entry per finished attempt ({ attempt, workerId, startedAt, endedAt, outcome, error? }),
  -- appended by the same UPDATE that ends the attempt: no extra write per job.
  attempt_log      jsonb NOT NULL DEFAULT '[]',
  locked_by        text CHECK (length(locked_by) <= 256),
  locked_at        timestamptz(3),
  lease_expires_at timestamptz(3),
  cancel_requested boolean NOT NULL DEFAULT false,
  created_at       timestamptz(3) NOT NULL DEFAULT now(),
  started_at       timestamptz(3),
  completed_at     timestamptz(3),
  updated_at       timestamptz(3) NOT NULL DEFAULT now(),
  -- A finished job has its finishing time; an unfinished one has none.
  CONSTRAINT jobs_completed_at_iff_final
    CHECK ((status IN ('completed', 'failed', 'cancelled')) = (completed_at IS NOT NULL)),
  -- A running job is held by a worker, under a lease, within its allowed attempts.
  CONSTRAINT jobs_running_is_leased
    CHECK (status <> 'running' OR (locked_by IS NOT NULL AND locked_at IS NOT NULL AND lease_expires_at IS NOT NULL
                                   AND attempts BETWEEN 1 AND max_attempts)),
  -- Only running jobs hold a lease.
  CONSTRAINT jobs_lease_only_while_running CHECK (status = 'running' OR lease_expires_at IS NULL),
  CONSTRAINT jobs_completed_progress_full CHECK (status <> 'completed' OR progress = 100)
);

-- Claiming: the next pending jobs of a queue in claim order (priority desc, run_at, id).
CREATE INDEX jobs_claim_idx ON :SCHEMA.jobs (queue, priority DESC, run_at, id) WHERE status = 'pending';
-- Listing, newest first (ids are UUIDv7, so id order is creation order within a millisecond).
CREATE INDEX jobs_created_idx ON :SCHEMA.jobs (created_at DESC, id DESC);
CREATE INDEX jobs_status_created_idx ON :SCHEMA.jobs (status, created_at DESC, id DESC);
CREATE INDEX jobs_owner_created_idx ON :SCHEMA.jobs (owner, created_at DESC, id DESC) WHERE owner IS NOT NULL;
-- Stats: counts by status, filtered by queue / type, answered from the index alone.
CREATE INDEX jobs_queue_status_idx ON :SCHEMA.jobs (queue, status, type);
CREATE INDEX jobs_type_status_idx ON :SCHEMA.jobs (type, status);
-- The reaper: running jobs by lease expiry.
CREATE INDEX jobs_lease_idx ON :SCHEMA.jobs (lease_expires_at) WHERE status = 'running';
-- The cleaner: finished jobs by finishing time.
CREATE INDEX jobs_finished_idx ON :SCHEMA.jobs (status, completed_at) WHERE completed_at IS NOT NULL;
-- Idempotency: one job per (owner, key) while the job exists; a NULL owner is one owner of its own.
CREATE UNIQUE INDEX jobs_idempotency_idx ON :SCHEMA.jobs (owner, idempotency_key) NULLS NOT DISTINCT
  WHERE idempotency_key IS NOT NULL;

CREATE TABLE :SCHEMA.queues (
  name       text PRIMARY KEY CHECK (length(name) BETWEEN 1 AND 128),
  paused     boolean NOT NULL DEFAULT false,
  updated_at timestamptz(3) NOT NULL DEFAULT now()
);

-- Live workers (in-process and over HTTP), refreshed by their heartbeats.
CREATE TABLE :SCHEMA.workers (
  id           text PRIMARY KEY CHECK (length(id) BETWEEN 1 AND 256),
  queues       text[] NOT NULL DEFAULT '{}',
  types        text[] NOT NULL DEFAULT '{}',
  concurrency  integer NOT NULL DEFAULT 1,
  running      integer NOT NULL DEFAULT 0,
  hostname     text,
  pid          integer,
  started_at   timestamptz(3) NOT NULL DEFAULT now(),
  last_seen_at timestamptz(3) NOT NULL DEFAULT now()
);

-- Retry delay of a failed attempt: { type: "exponential" | "fixed", delayMs } (default exponential
-- from 1 s), with equal jitter (half fixed, half random) so retries of a burst spread out, capped at 1 h.
CREATE FUNCTION :SCHEMA.retry_delay(backoff jsonb, attempts integer) RETURNS interval
LANGUAGE sql VOLATILE AS $$
  SELECT make_interval(secs => least(3600,
    CASE WHEN coalesce(backoff->>'type', 'exponential') = 'fixed'
      THEN coalesce((backoff->>'delayMs')::float8, 1000) / 1000
      ELSE coalesce((backoff->>'delayMs')::float8, 1000) / 1000 * power(2, greatest(attempts - 1, 0)) * (0.5 + random() / 2)
    END))
$$;
