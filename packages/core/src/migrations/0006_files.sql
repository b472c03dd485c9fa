-- Files in and out of jobs: an upload (kind 'input', attached to a job at enqueue) or a result a handler
-- attaches (kind 'output'). Stored in PostgreSQL on both backends, in 1 MiB chunks so uploads and
-- downloads stream without holding a whole file in memory. A file goes with its job (ON DELETE CASCADE);
-- an upload never attached to a job is removed by the cleaner after a day.

CREATE TABLE :SCHEMA.job_files (
  id           uuid PRIMARY KEY,
  job_id       uuid REFERENCES :SCHEMA.jobs (id) ON DELETE CASCADE,
  owner        text CHECK (length(owner) BETWEEN 1 AND 256),
  kind         text NOT NULL CHECK (kind IN ('input', 'output')),
  name         text NOT NULL CHECK (length(name) BETWEEN 1 AND 255 AND name !~ '[/\\]'),
  content_type text NOT NULL DEFAULT 'application/octet-stream' CHECK (length(content_type) BETWEEN 1 AND 255),
  size         bigint NOT NULL DEFAULT 0 CHECK (size >= 0),
  -- false while chunks are being written: an interrupted upload is never served.
  complete     boolean NOT NULL DEFAULT false,
  created_at   timestamptz(3) NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX job_files_job_name_idx ON :SCHEMA.job_files (job_id, name) WHERE job_id IS NOT NULL;
CREATE INDEX job_files_unattached_idx ON :SCHEMA.job_files (created_at) WHERE job_id IS NULL;

CREATE TABLE :SCHEMA.job_file_chunks (
  file_id uuid NOT NULL REFERENCES :SCHEMA.job_files (id) ON DELETE CASCADE,
  seq     integer NOT NULL CHECK (seq >= 0),
  data    bytea NOT NULL,
  PRIMARY KEY (file_id, seq)
);
