-- Messaging: channels, templates, messages and their outbox, delivery events, suppressions,
-- tracking tokens, push subscriptions, and what the sandbox sinks received.

CREATE TABLE channels (
  account_id        text NOT NULL REFERENCES accounts (id),
  id                text NOT NULL,
  name              text NOT NULL,
  type              text NOT NULL,            -- the provider: smtp, smpp, http_sms, web_push, voice, webhook, db_update
  kind              text NOT NULL,            -- what it sends: email, sms, push, voice, webhook, db_update
  -- Secrets (passwords, keys) live here too; the API never returns them (provider.secrets).
  config            jsonb NOT NULL,
  cost_per_message  numeric(12, 6) NOT NULL DEFAULT 0,
  sandbox           boolean NOT NULL DEFAULT false,
  created_at        timestamptz NOT NULL DEFAULT now(),
  updated_at        timestamptz NOT NULL DEFAULT now(),
  deleted_at        timestamptz,
  PRIMARY KEY (account_id, id)
);
-- The newest live channel of a kind is its default.
CREATE INDEX channels_kind_idx ON channels (account_id, kind, created_at DESC) WHERE deleted_at IS NULL;

CREATE TABLE templates (
  account_id    text NOT NULL REFERENCES accounts (id),
  id            text NOT NULL,
  name          text NOT NULL,
  channel_type  text NOT NULL,                -- a channel kind
  subject       text,
  body          text NOT NULL,
  created_at    timestamptz NOT NULL DEFAULT now(),
  updated_at    timestamptz NOT NULL DEFAULT now(),
  deleted_at    timestamptz,
  PRIMARY KEY (account_id, id)
);
-- Partials are looked up by name: one live template per name.
CREATE UNIQUE INDEX templates_name_idx ON templates (account_id, name) WHERE deleted_at IS NULL;
-- Provider callbacks (/hooks/…) find their channel by id alone, then check the URL's token.
CREATE UNIQUE INDEX channels_id_idx ON channels (id);

-- One send to one address over one channel. Status only moves forward (see messaging/status.ts).
CREATE TABLE messages (
  account_id      text NOT NULL,
  id              text NOT NULL,
  contact_id      text,
  channel_id      text NOT NULL,
  channel_type    text NOT NULL,              -- kind
  to_address      text NOT NULL,
  category        text NOT NULL CHECK (category IN ('transactional', 'marketing')),
  template_id     text,
  content         jsonb NOT NULL,             -- rendered parts (RenderedContent)
  data            jsonb NOT NULL DEFAULT '{}'::jsonb,
  attachments     jsonb NOT NULL DEFAULT '[]'::jsonb,
  links           jsonb NOT NULL DEFAULT '{}'::jsonb,   -- {unsubscribe?, unsubscribe_mailto?}
  status          text NOT NULL CHECK (status IN ('queued', 'deferred', 'sent', 'delivered', 'opened', 'clicked', 'bounced', 'failed', 'suppressed', 'complained')),
  -- The policy gate's decision and why (`{decision, reason, list?, due_at?}`).
  policy          jsonb NOT NULL DEFAULT '{}'::jsonb,
  provider_id     text,
  segments        integer NOT NULL DEFAULT 1,
  cost            numeric(12, 6) NOT NULL DEFAULT 0,
  attempts        integer NOT NULL DEFAULT 0,
  error           text,
  -- Who asked: a flow run step, an OTP, a broadcast (for reports and events back into flows).
  source          jsonb,
  created_at      timestamptz NOT NULL DEFAULT now(),
  updated_at      timestamptz NOT NULL DEFAULT now(),
  sent_at         timestamptz,
  PRIMARY KEY (account_id, id)
);
CREATE INDEX messages_contact_idx ON messages (account_id, contact_id, created_at DESC);
CREATE INDEX messages_created_idx ON messages (account_id, created_at DESC);
-- Frequency caps count marketing messages that went out per contact.
CREATE INDEX messages_caps_idx ON messages (account_id, contact_id, sent_at) WHERE category = 'marketing' AND sent_at IS NOT NULL;

-- Messages due to go out. A row leaves the outbox when its message reaches a final send outcome.
-- Claimed in batches with FOR UPDATE SKIP LOCKED and a lease that expires if the worker dies.
CREATE TABLE outbox (
  account_id    text NOT NULL,
  message_id    text NOT NULL,
  channel_id    text NOT NULL,
  due_at        timestamptz NOT NULL DEFAULT now(),
  attempts      integer NOT NULL DEFAULT 0,
  locked_by     text,
  locked_until  timestamptz,
  PRIMARY KEY (account_id, message_id)
);
CREATE INDEX outbox_due_idx ON outbox (due_at);

CREATE TABLE message_events (
  account_id  text NOT NULL,
  message_id  text NOT NULL,
  seq         bigint GENERATED ALWAYS AS IDENTITY,
  type        text NOT NULL,
  at          timestamptz NOT NULL DEFAULT now(),
  detail      jsonb NOT NULL DEFAULT '{}'::jsonb,
  -- A provider's receipt replayed, or a click counted twice, records nothing new.
  dedupe_key  text,
  PRIMARY KEY (account_id, message_id, seq)
);
CREATE UNIQUE INDEX message_events_dedupe_idx ON message_events (account_id, message_id, dedupe_key) WHERE dedupe_key IS NOT NULL;

-- The provider's ids of a message (one per SMS part), so a receipt naming any of them finds it.
CREATE TABLE provider_refs (
  account_id   text NOT NULL,
  channel_id   text NOT NULL,
  provider_id  text NOT NULL,
  message_id   text NOT NULL,
  PRIMARY KEY (account_id, channel_id, provider_id)
);

-- A receipt that named a provider id before the send was recorded (a fast SMSC answers while
-- the batch is still being written): kept here and replayed when the send's ids are recorded.
CREATE TABLE pending_reports (
  account_id   text NOT NULL,
  channel_id   text NOT NULL,
  provider_id  text NOT NULL,
  seq          bigint GENERATED ALWAYS AS IDENTITY,
  report       jsonb NOT NULL,
  created_at   timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (account_id, channel_id, provider_id, seq)
);

-- POST /v1/messages Idempotency-Key, kept 24 h.
CREATE TABLE idempotency_keys (
  account_id    text NOT NULL,
  key           text NOT NULL,
  request_hash  text NOT NULL,
  status_code   integer NOT NULL,
  response      jsonb NOT NULL,
  created_at    timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (account_id, key)
);
CREATE INDEX idempotency_keys_created_idx ON idempotency_keys (created_at);

-- Addresses that must not be contacted: account-wide (list_name NULL) or a named list (a
-- regulator's do-not-contact list such as Colombia's RNE); category NULL means every category.
CREATE TABLE suppressions (
  account_id  text NOT NULL REFERENCES accounts (id),
  id          text NOT NULL,
  type        text NOT NULL CHECK (type IN ('email', 'phone')),
  value       text NOT NULL,                  -- normalised: lower-case email, E.164 phone
  reason      text NOT NULL DEFAULT '',
  category    text,
  list_name   text,
  created_at  timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (account_id, id)
);
CREATE UNIQUE INDEX suppressions_value_idx ON suppressions (account_id, type, value, coalesce(list_name, ''), coalesce(category, ''));

-- Unguessable tokens behind /l/ (links), /o/ (open pixel) and /u/ (unsubscribe). A token names a
-- message, never a contact; the public routes look tokens up without an account.
CREATE TABLE tracking_tokens (
  account_id  text NOT NULL,
  token       text NOT NULL,
  message_id  text NOT NULL,
  kind        text NOT NULL CHECK (kind IN ('link', 'open', 'unsubscribe')),
  url         text,
  created_at  timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (account_id, token)
);
CREATE UNIQUE INDEX tracking_tokens_token_idx ON tracking_tokens (token);

CREATE TABLE push_subscriptions (
  account_id  text NOT NULL,
  id          text NOT NULL,
  contact_id  text NOT NULL,
  endpoint    text NOT NULL,
  keys        jsonb NOT NULL,                 -- {p256dh, auth}
  created_at  timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (account_id, id)
);
CREATE UNIQUE INDEX push_subscriptions_endpoint_idx ON push_subscriptions (account_id, contact_id, endpoint);

-- What the sandbox SMTP server and SMSC received (GET /v1/sandbox/messages). `duplicates` counts a
-- message id delivered again: a provider with idempotency keys would drop it; tests assert 0.
CREATE TABLE sandbox_messages (
  account_id    text NOT NULL,
  id            text NOT NULL,
  message_id    text,
  channel_type  text NOT NULL,
  to_address    text NOT NULL,
  subject       text,
  text          text NOT NULL,
  raw           text,
  duplicates    integer NOT NULL DEFAULT 0,
  received_at   timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (account_id, id)
);
CREATE UNIQUE INDEX sandbox_messages_message_idx ON sandbox_messages (account_id, message_id) WHERE message_id IS NOT NULL;
CREATE INDEX sandbox_messages_received_idx ON sandbox_messages (account_id, received_at);

-- A send of one template to every contact of a segment, done by a job in keyset batches. Each
-- batch's messages and the cursor past them commit together: a crashed job resumes after the
-- last committed batch, so no contact gets the broadcast twice and none is skipped.
CREATE TABLE broadcasts (
  account_id    text NOT NULL REFERENCES accounts (id),
  id            text NOT NULL,
  list_id       text NOT NULL,
  segment_id    text,
  channel_id    text NOT NULL,
  template_id   text NOT NULL,
  category      text NOT NULL CHECK (category IN ('transactional', 'marketing')),
  data          jsonb NOT NULL DEFAULT '{}'::jsonb,
  attachments   jsonb NOT NULL DEFAULT '[]'::jsonb,   -- refs into attachments, one for all
  status        text NOT NULL DEFAULT 'queued' CHECK (status IN ('queued', 'running', 'done', 'failed')),
  cursor        text,                         -- the last contact id behind us
  total         integer NOT NULL DEFAULT 0,   -- contacts seen
  queued        integer NOT NULL DEFAULT 0,
  deferred      integer NOT NULL DEFAULT 0,
  suppressed    integer NOT NULL DEFAULT 0,
  skipped       integer NOT NULL DEFAULT 0,   -- no address on this channel, or an unrenderable message
  error         text,
  created_at    timestamptz NOT NULL DEFAULT now(),
  started_at    timestamptz,
  finished_at   timestamptz,
  PRIMARY KEY (account_id, id)
);

-- Attachment bytes, stored once: a broadcast's one-for-all attachment is one row that every
-- message of it references (messages.attachments holds [{id, filename, content_type, size}]).
CREATE TABLE attachments (
  account_id    text NOT NULL,
  id            text NOT NULL,
  filename      text NOT NULL,
  content_type  text NOT NULL,
  size          integer NOT NULL,
  content       bytea NOT NULL,
  created_at    timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (account_id, id)
);
