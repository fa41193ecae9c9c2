-- Refunds (issue 12). One row per merchant refund (mercNo + mercRefundNo), written by the API when it accepts the
-- refund and, afterwards, only by the refund's workflow (workflows/refund.ts) through activities.
CREATE TABLE refunds (
  refund_id          TEXT PRIMARY KEY,
  merc_no            TEXT NOT NULL REFERENCES merchants (merc_no),
  merc_refund_no     TEXT NOT NULL,
  order_id           TEXT NOT NULL REFERENCES orders (order_id),
  workflow_id        TEXT NOT NULL,
  -- Fingerprint of the merchant's request: the same mercRefundNo with other parameters is a conflict (100004).
  request_hash       TEXT NOT NULL,
  livemode           BOOLEAN NOT NULL,
  channel            TEXT NOT NULL,
  refund_amt_fen     BIGINT NOT NULL CHECK (refund_amt_fen > 0),
  reason             TEXT,
  notify_url         TEXT NOT NULL,
  sign_type          TEXT NOT NULL,
  refund_status      TEXT NOT NULL DEFAULT 'r0001' CHECK (refund_status IN ('r0000', 'r0001', 'r0002', 'r0003')),
  channel_refund_no  TEXT,
  refund_end_time    TEXT,
  fail_reason        TEXT,
  notify_state       TEXT NOT NULL DEFAULT 'none',
  notify_attempts    INTEGER NOT NULL DEFAULT 0,
  notify_next_at     TIMESTAMPTZ,
  created_at         TIMESTAMPTZ NOT NULL DEFAULT now(),
  updated_at         TIMESTAMPTZ NOT NULL DEFAULT now(),
  UNIQUE (merc_no, merc_refund_no)
);
CREATE INDEX refunds_order ON refunds (order_id, created_at);

-- The refundable balance of an order has one writer: this guarded row. `refund_held_fen` is what accepted refunds
-- still in progress hold; `refunded_fen` what succeeded. Accepting a refund adds to the hold in one UPDATE whose
-- WHERE checks the bound; the constraint is the last line of defence.
ALTER TABLE orders ADD COLUMN refund_held_fen BIGINT NOT NULL DEFAULT 0;
ALTER TABLE orders ADD COLUMN refunded_fen BIGINT NOT NULL DEFAULT 0;
ALTER TABLE orders ADD CONSTRAINT orders_refund_bound
  CHECK (refund_held_fen >= 0 AND refunded_fen >= 0 AND refund_held_fen + refunded_fen <= trade_amt_fen);

-- Per-merchant refund window in days after payment; NULL = the platform default (REFUND_WINDOW).
ALTER TABLE merchants ADD COLUMN refund_window_days INTEGER CHECK (refund_window_days > 0);

-- The human queue holds ambiguous refunds too: one open review per refund.
ALTER TABLE order_reviews ADD COLUMN refund_id TEXT REFERENCES refunds (refund_id);
ALTER TABLE order_reviews DROP CONSTRAINT order_reviews_kind_check;
ALTER TABLE order_reviews ADD CONSTRAINT order_reviews_kind_check CHECK (kind IN ('unknown_result', 'amount_mismatch', 'refund_unknown'));
ALTER TABLE order_reviews DROP CONSTRAINT order_reviews_decision_check;
ALTER TABLE order_reviews ADD CONSTRAINT order_reviews_decision_check CHECK (decision IN ('paid', 'unpaid', 'refunded', 'not_refunded'));
DROP INDEX order_reviews_open;
CREATE UNIQUE INDEX order_reviews_open ON order_reviews (order_id, kind, COALESCE(refund_id, '')) WHERE resolved_at IS NULL;

-- Channel calls of refunds are recorded with the order's (support timeline).
ALTER TABLE channel_calls DROP CONSTRAINT channel_calls_op_check;
ALTER TABLE channel_calls ADD CONSTRAINT channel_calls_op_check CHECK (op IN ('create', 'query', 'close', 'refund', 'refund_query'));
