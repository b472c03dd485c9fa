-- API keys and server secrets for the HTTP API (@conveyor/server).
-- :SCHEMA is replaced by the quoted schema name; nothing else is ever interpolated.

-- One row per API key. Only a SHA-256 of the key is kept: the key itself is shown once, at creation.
-- Keys are 256 random bits, so a plain hash cannot be reversed by guessing (no slow hash needed).
CREATE TABLE :SCHEMA.api_keys (
  id           uuid PRIMARY KEY,
  name         text NOT NULL CHECK (length(name) BETWEEN 1 AND 128),
  role         text NOT NULL CHECK (role IN ('admin', 'producer', 'worker', 'viewer')),
  hash         text NOT NULL UNIQUE CHECK (length(hash) = 64),
  created_at   timestamptz NOT NULL DEFAULT now(),
  last_used_at timestamptz,
  revoked_at   timestamptz
);

-- Secrets shared by every server of one database (the HMAC key of user tokens), created once by
-- whichever server needs one first.
CREATE TABLE :SCHEMA.server_secrets (
  name       text PRIMARY KEY CHECK (length(name) BETWEEN 1 AND 64),
  value      text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now()
);
