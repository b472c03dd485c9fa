-- The fair claim's index held every pending job, an owner or not: an enqueue of a job without an
-- owner (no fair claim ever reads it) paid an index insert for nothing. Only jobs with an owner now;
-- the fair claim's conditions on owner (`owner = …`, `owner > …`, `owner IS NOT NULL`) imply the
-- predicate, so its plans still use it.
DROP INDEX :SCHEMA.jobs_owner_claim_idx;
CREATE INDEX jobs_owner_claim_idx ON :SCHEMA.jobs (queue, owner, priority DESC, run_at, id)
  WHERE status = 'pending' AND owner IS NOT NULL;
