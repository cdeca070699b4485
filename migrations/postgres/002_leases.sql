-- Who runs the background work (watcher, health checks, organization resyncs), for people and for
-- /readyz: the leader also holds a session-level advisory lock; this row only says who it is.
CREATE TABLE IF NOT EXISTS cloudlink_leader (
  name text PRIMARY KEY,
  holder text NOT NULL,
  since timestamptz NOT NULL DEFAULT now()
);
