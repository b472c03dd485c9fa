-- Schedules: cron definitions, and one row per tick that was handled. The primary key of
-- schedule_ticks is what makes a tick fire exactly once: every scheduler process may try to insert a
-- tick, in the same transaction as its job; one wins, the others find the row and do nothing.

CREATE TABLE :SCHEMA.schedules (
  id           uuid PRIMARY KEY,
  name         text NOT NULL UNIQUE CHECK (length(name) BETWEEN 1 AND 128),
  cron         text NOT NULL CHECK (length(cron) BETWEEN 1 AND 256),
  timezone     text NOT NULL DEFAULT 'UTC' CHECK (length(timezone) BETWEEN 1 AND 64),
  type         text NOT NULL CHECK (length(type) BETWEEN 1 AND 128),
  payload      jsonb,
  queue        text NOT NULL DEFAULT 'default' CHECK (length(queue) BETWEEN 1 AND 128),
  priority     integer NOT NULL DEFAULT 0 CHECK (priority BETWEEN -1000000 AND 1000000),
  owner        text CHECK (length(owner) BETWEEN 1 AND 256),
  metadata     jsonb NOT NULL DEFAULT '{}',
  max_attempts integer CHECK (max_attempts BETWEEN 1 AND 1000),
  timeout_ms   integer CHECK (timeout_ms > 0),
  enabled      boolean NOT NULL DEFAULT true,
  overlap      text NOT NULL DEFAULT 'allow' CHECK (overlap IN ('allow', 'skip')),
  catch_up     text NOT NULL DEFAULT 'none' CHECK (catch_up IN ('none', 'latest')),
  -- The latest tick handled (enqueued, skipped or passed over); ticks are looked for after it.
  last_tick_at timestamptz(3),
  created_at   timestamptz(3) NOT NULL DEFAULT now(),
  updated_at   timestamptz(3) NOT NULL DEFAULT now()
);

CREATE TABLE :SCHEMA.schedule_ticks (
  schedule_id uuid NOT NULL REFERENCES :SCHEMA.schedules (id) ON DELETE CASCADE,
  tick_at     timestamptz(3) NOT NULL,
  -- No foreign key: the job may be purged; the tick must stay to keep it from firing again.
  job_id      uuid,
  outcome     text NOT NULL CHECK (outcome IN ('enqueued', 'caught_up', 'skipped_overlap', 'triggered')),
  created_at  timestamptz(3) NOT NULL DEFAULT now(),
  PRIMARY KEY (schedule_id, tick_at)
);
CREATE INDEX schedule_ticks_created_idx ON :SCHEMA.schedule_ticks (created_at);
