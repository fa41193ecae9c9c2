-- Endpoint health (issue 14 part 3): each merchant notify endpoint (merchant + URL) and how it has been answering.
-- An endpoint failing continuously for NOTIFY_ENDPOINT_PAUSE_AFTER is paused: order workflows hold its notifications
-- (not sent, no attempt used) until support resumes it.
CREATE TABLE notify_endpoints (
  merc_no          TEXT NOT NULL REFERENCES merchants (merc_no),
  url              TEXT NOT NULL,
  -- Start of the current run of failures; NULL after a success (or a resume).
  failing_since    TIMESTAMPTZ,
  last_failure_at  TIMESTAMPTZ,
  last_success_at  TIMESTAMPTZ,
  last_error       TEXT,
  paused_at        TIMESTAMPTZ,
  PRIMARY KEY (merc_no, url)
);
CREATE INDEX notify_endpoints_paused ON notify_endpoints (paused_at) WHERE paused_at IS NOT NULL;

-- The audit of endpoint health: 'paused' (by the system, actor NULL) and 'resumed' (by an operator).
CREATE TABLE notify_endpoint_events (
  id          BIGSERIAL PRIMARY KEY,
  merc_no     TEXT NOT NULL,
  url         TEXT NOT NULL,
  type        TEXT NOT NULL,
  actor       TEXT,
  detail      JSONB NOT NULL DEFAULT '{}',
  created_at  TIMESTAMPTZ NOT NULL DEFAULT now()
);
CREATE INDEX notify_endpoint_events_endpoint ON notify_endpoint_events (merc_no, url, id);

-- Notifications held by a paused endpoint: the order whose workflow waits for the resume (one row per order).
CREATE TABLE notify_endpoint_holds (
  order_id  TEXT PRIMARY KEY REFERENCES orders (order_id),
  merc_no   TEXT NOT NULL,
  url       TEXT NOT NULL,
  held_at   TIMESTAMPTZ NOT NULL DEFAULT now()
);
CREATE INDEX notify_endpoint_holds_endpoint ON notify_endpoint_holds (merc_no, url);
