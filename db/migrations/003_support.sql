-- Support tooling: what the platform asked each channel (for an order's timeline) and bulk notification replay jobs.

-- Every call to an upstream channel (create / query / close): its closed-union result, latency and a short error
-- excerpt. Never credentials or payloads. Written best-effort by activities/channel-calls.ts; a retried activity that
-- called the channel again records another row (it was another call).
CREATE TABLE channel_calls (
  id          BIGSERIAL PRIMARY KEY,
  order_id    TEXT NOT NULL,
  channel     TEXT NOT NULL,
  op          TEXT NOT NULL CHECK (op IN ('create', 'query', 'close')),
  -- CREATED | DECLINED | UNSUPPORTED | UNKNOWN (create) or SUCCESS | FAIL | PENDING | UNKNOWN (query, close)
  status      TEXT NOT NULL,
  latency_ms  INTEGER NOT NULL,
  error       TEXT,
  called_at   TIMESTAMPTZ NOT NULL DEFAULT now()
);
CREATE INDEX channel_calls_order ON channel_calls (order_id, id);

-- Bulk filters select orders by creation time.
CREATE INDEX orders_created_at ON orders (created_at);

-- A bulk notification replay: the filter it was started with and its rate. The orders it replays are snapshotted in
-- support_job_items when the job is created (the same query as the dry run), so the set never changes afterwards.
-- The job itself runs as a Temporal workflow (workflow_id); progress is counted from the items.
CREATE TABLE support_jobs (
  id               TEXT PRIMARY KEY,
  kind             TEXT NOT NULL CHECK (kind IN ('notification_replay')),
  filter           JSONB NOT NULL,
  rate_per_second  INTEGER NOT NULL CHECK (rate_per_second > 0),
  total            INTEGER NOT NULL,
  state            TEXT NOT NULL CHECK (state IN ('running', 'completed', 'failed')),
  workflow_id      TEXT NOT NULL,
  error            TEXT,
  created_at       TIMESTAMPTZ NOT NULL DEFAULT now(),
  finished_at      TIMESTAMPTZ
);

CREATE TABLE support_job_items (
  job_id        TEXT NOT NULL REFERENCES support_jobs (id),
  order_id      TEXT NOT NULL REFERENCES orders (order_id),
  state         TEXT NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'done', 'failed')),
  -- How the order was replayed: 'signal' (its workflow was open) or 'replay-workflow' (a one-attempt workflow).
  path          TEXT,
  workflow_id   TEXT,
  error         TEXT,
  processed_at  TIMESTAMPTZ,
  PRIMARY KEY (job_id, order_id)
);
CREATE INDEX support_job_items_pending ON support_job_items (job_id, state, order_id);
