-- Contact Manager: lists with typed fields, contacts, segments.

CREATE TABLE lists (
  account_id        text NOT NULL REFERENCES accounts (id),
  id                text NOT NULL,
  name              text NOT NULL,
  key_field         text NOT NULL,
  default_country   text,
  date_format       text NOT NULL DEFAULT 'yyyy-mm-dd',
  decimal_separator text NOT NULL DEFAULT '.',
  -- [{key, label, type, required, options, removed_at?}]; a removed field keeps its data in
  -- contacts.data but is out of reach of every read, filter and export.
  fields            jsonb NOT NULL DEFAULT '[]'::jsonb,
  created_at        timestamptz NOT NULL DEFAULT now(),
  updated_at        timestamptz NOT NULL DEFAULT now(),
  deleted_at        timestamptz,
  PRIMARY KEY (account_id, id)
);

-- One row per contact; typed values live in `data` as normalised JSON: numbers as JSON numbers,
-- dates as 'YYYY-MM-DD', datetimes as UTC RFC 3339 — ISO strings sort as their instants, so range
-- filters compare text and expression indexes stay immutable.
-- No foreign keys on contacts, deliberately: they cost a trigger per row (20–40 % of a COPY into
-- this table: 40k → 51k rows/s into an empty table, bench/contacts-write.ts) and protect nothing —
-- contacts are only written after their list was read in the same code path, and lists are never
-- deleted, only marked deleted_at (their contacts erased).
CREATE TABLE contacts (
  account_id  text NOT NULL,
  id          text NOT NULL,
  list_id     text NOT NULL,
  key_value   text NOT NULL,
  data        jsonb NOT NULL DEFAULT '{}'::jsonb,
  created_at  timestamptz NOT NULL DEFAULT now(),
  updated_at  timestamptz NOT NULL DEFAULT now(),
  -- DELETE erases personal data: data emptied, key replaced, this set; the audit log keeps a tombstone.
  erased_at   timestamptz,
  PRIMARY KEY (account_id, id)
);
CREATE UNIQUE INDEX contacts_key_idx ON contacts (account_id, list_id, key_value);
CREATE INDEX contacts_list_idx ON contacts (account_id, list_id, id);

CREATE TABLE segments (
  account_id  text NOT NULL REFERENCES accounts (id),
  id          text NOT NULL,
  list_id     text NOT NULL,
  name        text NOT NULL,
  filter      jsonb NOT NULL,
  created_at  timestamptz NOT NULL DEFAULT now(),
  updated_at  timestamptz NOT NULL DEFAULT now(),
  deleted_at  timestamptz,
  PRIMARY KEY (account_id, id),
  FOREIGN KEY (account_id, list_id) REFERENCES lists (account_id, id)
);
