-- Fair sharing between owners, per queue: at most owner_concurrency running jobs per owner, at most
-- owner_enqueues_per_minute enqueues per owner. NULL: no limit (the claim takes its fast path).

ALTER TABLE :SCHEMA.queues
  ADD COLUMN owner_concurrency integer CHECK (owner_concurrency BETWEEN 1 AND 100000),
  ADD COLUMN owner_enqueues_per_minute integer CHECK (owner_enqueues_per_minute BETWEEN 1 AND 10000000);

-- The fair claim walks the distinct owners of a queue's pending jobs (a loose index scan) and takes
-- each owner's next jobs in claim order. Partial on pending: claiming (pending → running) adds no entry
-- here, so a drain without limits pays nothing for it; an enqueue pays one index insert.
CREATE INDEX jobs_owner_claim_idx ON :SCHEMA.jobs (queue, owner, priority DESC, run_at, id) WHERE status = 'pending';
