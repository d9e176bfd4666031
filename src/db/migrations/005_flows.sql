-- Conversation Manager: flows, their published versions, runs (one contact's way through one
-- version), the path each run took, and events.

CREATE TABLE flows (
  account_id      text NOT NULL REFERENCES accounts (id),
  id              text NOT NULL,
  name            text NOT NULL,
  list_id         text NOT NULL,
  draft           jsonb NOT NULL,
  -- The latest published version (NULL: never published); new runs start on it.
  version         integer,
  status          text NOT NULL DEFAULT 'draft' CHECK (status IN ('draft', 'active', 'paused')),
  -- Denormalised from the published entry, so events and schedulers find flows by index.
  entry_type      text,
  entry_event     text,
  goal_event      text,
  created_at      timestamptz NOT NULL DEFAULT now(),
  updated_at      timestamptz NOT NULL DEFAULT now(),
  deleted_at      timestamptz,
  PRIMARY KEY (account_id, id)
);
CREATE INDEX flows_entry_event_idx ON flows (account_id, entry_event) WHERE status = 'active' AND deleted_at IS NULL;

-- A published version never changes: runs started on it finish on it.
CREATE TABLE flow_versions (
  account_id    text NOT NULL,
  flow_id       text NOT NULL,
  version       integer NOT NULL,
  definition    jsonb NOT NULL,
  published_at  timestamptz NOT NULL DEFAULT now(),
  published_by  text NOT NULL,
  PRIMARY KEY (account_id, flow_id, version)
);

CREATE TABLE flow_runs (
  account_id    text NOT NULL,
  id            text NOT NULL,
  flow_id       text NOT NULL,
  version       integer NOT NULL,
  contact_id    text NOT NULL,
  node          text,
  status        text NOT NULL CHECK (status IN ('active', 'waiting', 'done', 'exited', 'failed')),
  -- When a timer wakes the run (a wait, a wait_event timeout, a fallback confirmation timeout).
  due_at        timestamptz,
  -- What it waits for ({kind, …}); wait_event/correlation are copied out for the event index.
  wait          jsonb,
  wait_event    text,
  correlation   text,
  iteration     integer NOT NULL DEFAULT 0,
  -- Claims since the last commit: a step that fails the same way every time fails the run after a few.
  attempts      integer NOT NULL DEFAULT 0,
  vars          jsonb NOT NULL DEFAULT '{}'::jsonb,
  error         text,
  entered_at    timestamptz NOT NULL DEFAULT now(),
  updated_at    timestamptz NOT NULL DEFAULT now(),
  ended_at      timestamptz,
  locked_by     text,
  locked_until  timestamptz,
  PRIMARY KEY (account_id, id)
);
-- Due runs, for the workers' claim.
CREATE INDEX flow_runs_due_idx ON flow_runs (due_at) WHERE status IN ('active', 'waiting') AND due_at IS NOT NULL;
-- Events find the runs waiting for them by contact and name: never a scan.
CREATE INDEX flow_runs_waiting_idx ON flow_runs (account_id, contact_id, wait_event) WHERE wait_event IS NOT NULL;
-- Goals pull out a contact's live runs; entry rules look at a contact's past runs of a flow.
CREATE INDEX flow_runs_contact_idx ON flow_runs (account_id, contact_id, flow_id, entered_at DESC);
CREATE INDEX flow_runs_flow_idx ON flow_runs (account_id, flow_id, status);

-- The path: one row per node execution.
CREATE TABLE flow_run_steps (
  account_id  text NOT NULL,
  run_id      text NOT NULL,
  iteration   integer NOT NULL,
  flow_id     text NOT NULL,
  node_id     text NOT NULL,
  type        text NOT NULL,
  outcome     text,
  at          timestamptz NOT NULL,
  detail      jsonb,
  PRIMARY KEY (account_id, run_id, iteration)
);
CREATE INDEX flow_run_steps_flow_idx ON flow_run_steps (account_id, flow_id, node_id);

-- Events (POST /v1/events, emitted by flows, or from inbound): written durably before the 202,
-- then matched by a worker to flows that start on them, runs that wait for them, and goals.
CREATE TABLE events (
  account_id       text NOT NULL,
  id               text NOT NULL,
  name             text NOT NULL,
  list_id          text,
  contact_id       text,
  contact          jsonb,            -- the contact as sent (upserted by key when processed)
  data             jsonb NOT NULL DEFAULT '{}'::jsonb,
  idempotency_key  text,
  received_at      timestamptz NOT NULL DEFAULT now(),
  processed_at     timestamptz,
  error            text,
  locked_until     timestamptz,
  PRIMARY KEY (account_id, id)
);
CREATE UNIQUE INDEX events_idempotency_idx ON events (account_id, idempotency_key) WHERE idempotency_key IS NOT NULL;
CREATE INDEX events_unprocessed_idx ON events (received_at) WHERE processed_at IS NULL;

-- What woke a run and is not yet processed: an event it waits for (or its goal), a message
-- outcome a send_fallback waits for. The worker reads them in order and deletes them in the
-- transaction that commits the run's new state.
CREATE TABLE flow_run_wakes (
  account_id  text NOT NULL,
  run_id      text NOT NULL,
  seq         bigint GENERATED ALWAYS AS IDENTITY,
  wake        jsonb NOT NULL,
  created_at  timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (account_id, run_id, seq)
);

-- A flow's send is keyed (run, node, iteration): a replayed step finds its message and sends nothing twice.
CREATE UNIQUE INDEX messages_flow_key_idx ON messages (account_id, (source ->> 'key')) WHERE source ? 'key';
-- A batch of runs finds the messages its steps already wrote (replays after a crash) in one query.
CREATE INDEX messages_flow_run_idx ON messages (account_id, (source ->> 'run_id')) WHERE source ? 'run_id';

-- When a flow's non-event entry fires next: a broadcast's date or cron, a date field's daily
-- check, a segment's entry scan. Claimed like any work row.
CREATE TABLE flow_schedules (
  account_id     text NOT NULL,
  flow_id        text NOT NULL,
  version        integer NOT NULL,
  next_at        timestamptz,
  last_fired_at  timestamptz,
  -- A firing too large for one tick (FIRE_LIMIT runs) goes on at the next: contacts that entered
  -- since this instant are this firing's already.
  firing_since   timestamptz,
  locked_until   timestamptz,
  PRIMARY KEY (account_id, flow_id)
);
CREATE INDEX flow_schedules_due_idx ON flow_schedules (next_at) WHERE next_at IS NOT NULL;

-- A broadcast that needs approval: its control sample was started; the rest waits for an approver.
CREATE TABLE flow_approvals (
  account_id    text NOT NULL,
  id            text NOT NULL,
  flow_id       text NOT NULL,
  version       integer NOT NULL,
  status        text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'released')),
  sample_size   integer NOT NULL,
  total         integer NOT NULL,
  created_at    timestamptz NOT NULL DEFAULT now(),
  released_by   text,
  released_at   timestamptz,
  PRIMARY KEY (account_id, id)
);
CREATE INDEX flow_approvals_flow_idx ON flow_approvals (account_id, flow_id, created_at DESC);

-- The secret that signs a flow's HTTP calls (Conversa-Signature, as webhooks): generated on first use.
ALTER TABLE accounts ADD COLUMN signing_secret text;
