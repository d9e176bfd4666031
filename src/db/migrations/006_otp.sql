-- OTP: one-time codes delivered with fallback across channels and verified once.

-- Keys this installation generates for itself when CONVERSA_SECRET_KEY is not set (a development
-- convenience: in production the key lives outside the database, so a dump cannot brute-force codes).
CREATE TABLE server_keys (
  name        text PRIMARY KEY,
  key         bytea NOT NULL,
  created_at  timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE otps (
  account_id       text NOT NULL REFERENCES accounts (id),
  id               text NOT NULL,
  contact_id       text,
  -- The addresses the caller gave or the contact had, normalised: {phone?, email?}.
  destination      jsonb NOT NULL DEFAULT '{}'::jsonb,
  -- The fallback order asked for, and the channels left after skipping unreachable ones.
  channels         text[] NOT NULL,
  plan             text[] NOT NULL,
  -- Index into plan of the channel sent last (-1: none yet).
  step             integer NOT NULL DEFAULT -1,
  -- HMAC-SHA256(server key, id, code, context): the only form kept once the OTP has ended.
  code_hash        bytea NOT NULL,
  -- The code sealed (AES-256-GCM, server key) while a later channel may still need it; wiped at the end.
  code_sealed      bytea,
  code_length      integer NOT NULL,
  context          jsonb,
  require_context  boolean NOT NULL DEFAULT false,
  templates        jsonb NOT NULL DEFAULT '{}'::jsonb,
  timeouts         jsonb NOT NULL DEFAULT '{}'::jsonb,
  language         text,
  status           text NOT NULL DEFAULT 'pending'
                   CHECK (status IN ('pending', 'verified', 'expired', 'too_many_attempts', 'undeliverable')),
  attempts         integer NOT NULL DEFAULT 0,
  max_attempts     integer NOT NULL,
  expires_at       timestamptz NOT NULL,
  -- When the fallback worker looks again (a channel's timeout, or now after a failure); NULL: nothing to do.
  check_at         timestamptz,
  verified_at      timestamptz,
  verified_channel text,
  created_at       timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (account_id, id)
);
CREATE INDEX otps_check_idx ON otps (check_at) WHERE check_at IS NOT NULL;
CREATE INDEX otps_recent_idx ON otps (account_id, created_at DESC);
CREATE INDEX otps_expiring_idx ON otps (expires_at) WHERE status IN ('pending', 'undeliverable');
CREATE INDEX otps_created_idx ON otps (created_at);

-- One row per channel tried (or skipped), in order. dest_key feeds the per-destination limit.
CREATE TABLE otp_deliveries (
  account_id    text NOT NULL,
  otp_id        text NOT NULL,
  seq           integer NOT NULL,
  channel_type  text NOT NULL,
  message_id    text,
  dest_key      text,
  -- sent: a message was queued; skipped: no address, no channel, or suppressed before sending.
  outcome       text NOT NULL CHECK (outcome IN ('sent', 'skipped')),
  -- What sent it: the create, the fallback, or a resend (a resend counts on its own against the limit).
  trigger       text NOT NULL DEFAULT 'create' CHECK (trigger IN ('create', 'fallback', 'resend')),
  reason        text,
  created_at    timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (account_id, otp_id, seq),
  FOREIGN KEY (account_id, otp_id) REFERENCES otps (account_id, id) ON DELETE CASCADE
);
CREATE INDEX otp_deliveries_dest_idx ON otp_deliveries (account_id, dest_key, created_at) WHERE outcome = 'sent';
CREATE INDEX otp_deliveries_recent_idx ON otp_deliveries (account_id, created_at);

-- Every verify, kept for disputes: when, from which source, by which key or user, and the answer. Never the code.
CREATE TABLE otp_attempts (
  account_id  text NOT NULL,
  otp_id      text NOT NULL,
  seq         bigint GENERATED ALWAYS AS IDENTITY,
  at          timestamptz NOT NULL DEFAULT now(),
  source      text,
  actor       text NOT NULL,
  result      text NOT NULL,
  PRIMARY KEY (account_id, otp_id, seq),
  FOREIGN KEY (account_id, otp_id) REFERENCES otps (account_id, id) ON DELETE CASCADE
);

-- Fixed-window counters (verify sources, the account's OTPs): one atomic upsert each. UNLOGGED:
-- no WAL flush per request; a crash of the database resets the current windows, nothing else.
CREATE UNLOGGED TABLE otp_counters (
  account_id    text NOT NULL,
  scope         text NOT NULL,
  key           text NOT NULL,
  window_start  timestamptz NOT NULL,
  n             integer NOT NULL DEFAULT 0,
  PRIMARY KEY (account_id, scope, key, window_start)
);
CREATE INDEX otp_counters_window_idx ON otp_counters (window_start);

CREATE TABLE otp_settings (
  account_id  text PRIMARY KEY REFERENCES accounts (id),
  settings    jsonb NOT NULL DEFAULT '{}'::jsonb,
  updated_at  timestamptz NOT NULL DEFAULT now()
);

-- An OTP message's real text, sealed, while it waits to go out; the message row keeps it masked.
-- Leaves with the outbox row when the message is sent or fails.
ALTER TABLE outbox ADD COLUMN sealed bytea;
