-- Metrics rollups per minute, queue and type, computed from the jobs table by the rollup service
-- (metrics/rollup.ts) every few seconds: nothing is written on the job hot path. Minutes are kept 30
-- days; older minutes are folded into hours, kept a year.
-- Durations are handler time (completed_at - started_at of the last attempt); waits are ready-to-start
-- time (started_at - run_at). Both are counted when the job finishes, in its finishing minute.
-- *_buckets are histogram counts over the bounds of metrics/buckets.ts (for p50/p95/p99).

CREATE TABLE :SCHEMA.metrics_minute (
  bucket            timestamptz(0) NOT NULL,
  queue             text NOT NULL,
  type              text NOT NULL,
  enqueued          integer NOT NULL DEFAULT 0,
  completed         integer NOT NULL DEFAULT 0,
  failed            integer NOT NULL DEFAULT 0,
  cancelled         integer NOT NULL DEFAULT 0,
  duration_count    integer NOT NULL DEFAULT 0,
  duration_total_ms bigint NOT NULL DEFAULT 0,
  duration_max_ms   bigint NOT NULL DEFAULT 0,
  duration_buckets  integer[] NOT NULL DEFAULT '{}',
  wait_count        integer NOT NULL DEFAULT 0,
  wait_total_ms     bigint NOT NULL DEFAULT 0,
  wait_max_ms       bigint NOT NULL DEFAULT 0,
  wait_buckets      integer[] NOT NULL DEFAULT '{}',
  PRIMARY KEY (bucket, queue, type)
);

CREATE TABLE :SCHEMA.metrics_hour (LIKE :SCHEMA.metrics_minute INCLUDING DEFAULTS INCLUDING CONSTRAINTS);
ALTER TABLE :SCHEMA.metrics_hour ADD PRIMARY KEY (bucket, queue, type);
