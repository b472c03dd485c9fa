-- Alert rules, their incidents (one open incident per rule at most: one message when it fires, one when
-- it resolves), and the audit log of who did what.

CREATE TABLE :SCHEMA.alert_rules (
  id          uuid PRIMARY KEY,
  name        text NOT NULL UNIQUE CHECK (length(name) BETWEEN 1 AND 128),
  -- failure_rate | queue_depth | oldest_pending_age | no_worker | schedule_missed | job_running_longer
  kind        text NOT NULL CHECK (kind IN ('failure_rate', 'queue_depth', 'oldest_pending_age', 'no_worker',
                                             'schedule_missed', 'job_running_longer')),
  queue       text CHECK (length(queue) BETWEEN 1 AND 128),
  type        text CHECK (length(type) BETWEEN 1 AND 128),
  threshold   double precision NOT NULL DEFAULT 0,
  window_ms   integer NOT NULL DEFAULT 300000 CHECK (window_ms > 0),
  webhook_url text CHECK (length(webhook_url) <= 2048),
  -- 'json' (Conveyor's own body) or 'slack' ({ text }).
  format      text NOT NULL DEFAULT 'json' CHECK (format IN ('json', 'slack')),
  cooldown_ms integer NOT NULL DEFAULT 900000 CHECK (cooldown_ms >= 0),
  enabled     boolean NOT NULL DEFAULT true,
  created_at  timestamptz(3) NOT NULL DEFAULT now(),
  updated_at  timestamptz(3) NOT NULL DEFAULT now()
);

CREATE TABLE :SCHEMA.alert_events (
  id           uuid PRIMARY KEY,
  rule_id      uuid NOT NULL REFERENCES :SCHEMA.alert_rules (id) ON DELETE CASCADE,
  state        text NOT NULL CHECK (state IN ('firing', 'resolved')),
  value        double precision,
  message      text NOT NULL,
  fired_at     timestamptz(3) NOT NULL DEFAULT now(),
  resolved_at  timestamptz(3),
  delivered_at timestamptz(3),
  delivery_error text,
  CHECK ((state = 'resolved') = (resolved_at IS NOT NULL))
);
-- At most one open (firing) incident per rule: evaluators on several processes cannot both open one.
CREATE UNIQUE INDEX alert_events_open_idx ON :SCHEMA.alert_events (rule_id) WHERE state = 'firing';
CREATE INDEX alert_events_fired_idx ON :SCHEMA.alert_events (fired_at DESC);

CREATE TABLE :SCHEMA.audit_log (
  id         uuid PRIMARY KEY,
  at         timestamptz(3) NOT NULL DEFAULT now(),
  -- Who: the key's name and role, or the user token's owner.
  actor      text NOT NULL CHECK (length(actor) BETWEEN 1 AND 256),
  actor_kind text NOT NULL CHECK (actor_kind IN ('key', 'token', 'session', 'system', 'cli')),
  action     text NOT NULL CHECK (length(action) BETWEEN 1 AND 64),
  target     text CHECK (length(target) <= 256),
  details    jsonb NOT NULL DEFAULT '{}'
);
CREATE INDEX audit_log_at_idx ON :SCHEMA.audit_log (at DESC, id DESC);
