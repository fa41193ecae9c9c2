-- Merchants: number, signing key, status and notification settings.
CREATE TABLE merchants (
  merc_no              TEXT PRIMARY KEY,
  name                 TEXT NOT NULL,
  sign_key             TEXT NOT NULL,
  status               TEXT NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'disabled')),
  -- Retry delays in milliseconds after the first attempt; NULL = the platform default schedule.
  notify_schedule_ms   INTEGER[],
  -- Final payStatus values the merchant is notified of (p0000 always).
  notify_statuses      TEXT[] NOT NULL DEFAULT ARRAY['p0000', 'p0004', 'p0005', 'p0006'],
  created_at           TIMESTAMPTZ NOT NULL DEFAULT now()
);

-- Order read model. Only the order workflow (through activities) writes it; the API reads it.
CREATE TABLE orders (
  order_id          TEXT PRIMARY KEY,
  merc_no           TEXT NOT NULL REFERENCES merchants (merc_no),
  merc_order_no     TEXT NOT NULL,
  workflow_id       TEXT NOT NULL,
  request_hash      TEXT NOT NULL,
  trade_type        TEXT NOT NULL,
  trade_amt_fen     BIGINT NOT NULL CHECK (trade_amt_fen > 0),
  fee_type          TEXT NOT NULL,
  trade_time        TEXT NOT NULL,
  order_period_min  INTEGER NOT NULL,
  expire_at         TIMESTAMPTZ NOT NULL,
  term_type         TEXT NOT NULL,
  payway_code       TEXT NOT NULL,
  scene_code        TEXT NOT NULL,
  channel           TEXT NOT NULL,
  channel_order_no  TEXT,
  pay_status        TEXT NOT NULL,
  sign_type         TEXT NOT NULL,
  notify_url        TEXT NOT NULL,
  -- The unified-order answer (unsigned), returned again for a repeated identical request.
  pay_response      JSONB,
  trade_end_time    TEXT,
  bank_type         TEXT,
  late_payment      BOOLEAN NOT NULL DEFAULT false,
  notify_state      TEXT NOT NULL DEFAULT 'none',
  notify_attempts   INTEGER NOT NULL DEFAULT 0,
  notify_next_at    TIMESTAMPTZ,
  created_at        TIMESTAMPTZ NOT NULL DEFAULT now(),
  updated_at        TIMESTAMPTZ NOT NULL DEFAULT now(),
  UNIQUE (merc_no, merc_order_no)
);
CREATE INDEX orders_channel_order_no ON orders (channel, channel_order_no);
CREATE INDEX orders_notify_state ON orders (notify_state, merc_no);

-- Audit trail: every state change and notable fact of an order. event_key makes replayed activities idempotent.
CREATE TABLE order_events (
  id           BIGSERIAL PRIMARY KEY,
  order_id     TEXT NOT NULL REFERENCES orders (order_id),
  event_key    TEXT NOT NULL,
  type         TEXT NOT NULL,
  from_status  TEXT,
  to_status    TEXT,
  detail       JSONB NOT NULL DEFAULT '{}'::jsonb,
  created_at   TIMESTAMPTZ NOT NULL DEFAULT now(),
  UNIQUE (order_id, event_key)
);

-- Every merchant notification attempt.
CREATE TABLE notify_attempts (
  id              BIGSERIAL PRIMARY KEY,
  notify_id       TEXT NOT NULL,
  order_id        TEXT NOT NULL REFERENCES orders (order_id),
  attempt         INTEGER NOT NULL,
  pay_status      TEXT NOT NULL,
  url             TEXT NOT NULL,
  started_at      TIMESTAMPTZ NOT NULL,
  latency_ms      INTEGER NOT NULL,
  http_status     INTEGER,
  answer_excerpt  TEXT,
  outcome         TEXT NOT NULL CHECK (outcome IN ('success', 'failed')),
  error           TEXT,
  UNIQUE (notify_id, attempt)
);
CREATE INDEX notify_attempts_order ON notify_attempts (order_id, started_at);

-- The sandbox channel's own books: what it was asked to collect and what the payer did.
CREATE TABLE sandbox_orders (
  channel_order_no  TEXT PRIMARY KEY,
  order_id          TEXT NOT NULL UNIQUE,
  amount_fen        BIGINT NOT NULL,
  subject           TEXT NOT NULL,
  status            TEXT NOT NULL CHECK (status IN ('open', 'paid', 'closed')),
  paid_at           TIMESTAMPTZ,
  created_at        TIMESTAMPTZ NOT NULL DEFAULT now()
);
