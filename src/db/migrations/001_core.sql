-- Accounts, access and background jobs. Every table but accounts itself carries account_id
-- first in its primary key: scoping is structural, and sharding by account stays possible.

CREATE TABLE accounts (
  id          text PRIMARY KEY,
  parent_id   text REFERENCES accounts (id),
  name        text NOT NULL,
  timezone    text NOT NULL DEFAULT 'UTC',
  country     text,
  -- GET|PATCH /v1/settings/policy: sending windows, holidays, frequency caps.
  policy      jsonb NOT NULL DEFAULT '{}'::jsonb,
  created_at  timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE users (
  account_id    text NOT NULL REFERENCES accounts (id),
  id            text NOT NULL,
  email         text NOT NULL,
  name          text NOT NULL DEFAULT '',
  role          text NOT NULL CHECK (role IN ('owner', 'admin', 'approver', 'editor', 'viewer')),
  password_hash text,
  created_at    timestamptz NOT NULL DEFAULT now(),
  updated_at    timestamptz NOT NULL DEFAULT now(),
  deleted_at    timestamptz,
  PRIMARY KEY (account_id, id)
);
CREATE UNIQUE INDEX users_email_key ON users (account_id, lower(email)) WHERE deleted_at IS NULL;
-- Console login looks a user up by email before it knows the account.
CREATE INDEX users_login_idx ON users (lower(email)) WHERE deleted_at IS NULL;

CREATE TABLE api_keys (
  account_id   text NOT NULL REFERENCES accounts (id),
  id           text NOT NULL,
  name         text NOT NULL,
  role         text NOT NULL CHECK (role IN ('owner', 'admin', 'approver', 'editor', 'viewer')),
  -- The first characters of the key, shown in lists so people can tell keys apart.
  prefix       text NOT NULL,
  -- SHA-256 of the whole key: keys are 256 random bits, so a fast hash is safe (unlike passwords).
  key_hash     bytea NOT NULL,
  created_at   timestamptz NOT NULL DEFAULT now(),
  last_used_at timestamptz,
  revoked_at   timestamptz,
  PRIMARY KEY (account_id, id)
);
CREATE UNIQUE INDEX api_keys_hash_key ON api_keys (key_hash);

CREATE TABLE sessions (
  account_id  text NOT NULL REFERENCES accounts (id),
  id          text NOT NULL,
  user_id     text NOT NULL,
  token_hash  bytea NOT NULL,
  csrf_token  text NOT NULL,
  created_at  timestamptz NOT NULL DEFAULT now(),
  expires_at  timestamptz NOT NULL,
  PRIMARY KEY (account_id, id),
  FOREIGN KEY (account_id, user_id) REFERENCES users (account_id, id)
);
CREATE UNIQUE INDEX sessions_token_key ON sessions (token_hash);

CREATE TABLE audit_log (
  account_id  text NOT NULL REFERENCES accounts (id),
  id          bigint GENERATED ALWAYS AS IDENTITY,
  at          timestamptz NOT NULL DEFAULT now(),
  actor       text NOT NULL,
  action      text NOT NULL,
  target      text,
  detail      jsonb NOT NULL DEFAULT '{}'::jsonb,
  PRIMARY KEY (account_id, id)
);
CREATE INDEX audit_log_at_idx ON audit_log (account_id, at);

-- Work that must happen later or in the background is a row (DESIGN.md, "Work is rows").
CREATE TABLE jobs (
  account_id   text NOT NULL REFERENCES accounts (id),
  id           text NOT NULL,
  kind         text NOT NULL,
  payload      jsonb NOT NULL DEFAULT '{}'::jsonb,
  status       text NOT NULL DEFAULT 'queued' CHECK (status IN ('queued', 'running', 'done', 'failed')),
  due_at       timestamptz NOT NULL DEFAULT now(),
  attempts     integer NOT NULL DEFAULT 0,
  max_attempts integer NOT NULL DEFAULT 5,
  locked_by    text,
  locked_until timestamptz,
  last_error   text,
  created_at   timestamptz NOT NULL DEFAULT now(),
  updated_at   timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (account_id, id)
);
CREATE INDEX jobs_due_idx ON jobs (due_at) WHERE status = 'queued';
CREATE INDEX jobs_lease_idx ON jobs (locked_until) WHERE status = 'running';
