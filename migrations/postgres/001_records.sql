-- cloudlink on PostgreSQL: every record (account, setup, invite, audit entry, outbox item,
-- organization) is one row, with a version per record (optimistic concurrency) and a change
-- sequence number (what other instances catch up from).
CREATE SEQUENCE IF NOT EXISTS cloudlink_change_seq;

CREATE TABLE IF NOT EXISTS cloudlink_records (
  collection text NOT NULL,
  id text NOT NULL,
  version bigint NOT NULL,
  seq bigint NOT NULL,
  deleted boolean NOT NULL DEFAULT false,
  data jsonb NOT NULL,
  updated_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (collection, id)
);

CREATE INDEX IF NOT EXISTS cloudlink_records_seq ON cloudlink_records (seq);
