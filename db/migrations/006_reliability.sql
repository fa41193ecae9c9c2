-- Crash safety (issue: nothing stuck, lost or doubled).
-- 1. The human queue: an order that software cannot settle (channel result unknown past the bound, a payment whose
--    amount is not the order's) waits here for a person's decision, which the order's workflow applies and audits.
CREATE TABLE order_reviews (
  id               BIGSERIAL PRIMARY KEY,
  order_id         TEXT NOT NULL REFERENCES orders (order_id),
  -- The workflow that opened the review and applies its resolution (the order's, or its late-report follow-up).
  workflow_id      TEXT NOT NULL,
  kind             TEXT NOT NULL CHECK (kind IN ('unknown_result', 'amount_mismatch')),
  reason           TEXT NOT NULL,
  detail           JSONB NOT NULL DEFAULT '{}'::jsonb,
  opened_at        TIMESTAMPTZ NOT NULL DEFAULT now(),
  decision         TEXT CHECK (decision IN ('paid', 'unpaid')),
  decision_reason  TEXT,
  actor            TEXT,
  resolved_at      TIMESTAMPTZ
);
-- At most one open review per order and kind (an activity retried after a crash opens it once).
CREATE UNIQUE INDEX order_reviews_open ON order_reviews (order_id, kind) WHERE resolved_at IS NULL;
CREATE INDEX order_reviews_pending ON order_reviews (opened_at) WHERE resolved_at IS NULL;

-- 2. Channels whose close is only local (IPayNow has no close funcode) keep being asked after our close or expiry,
--    until the channel's own order timeout plus a margin: money taken after our close is found and reported.
ALTER TABLE orders ADD COLUMN watch_until TIMESTAMPTZ;
