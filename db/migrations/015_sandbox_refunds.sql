-- The sandbox's refunds (channels/sandbox/refunds.ts): one row per refund id, at most the order's amount in all.
CREATE TABLE sandbox_refunds (
  refund_id         TEXT PRIMARY KEY,
  channel_order_no  TEXT NOT NULL REFERENCES sandbox_orders (channel_order_no),
  amount_fen        BIGINT NOT NULL CHECK (amount_fen > 0),
  refunded_at       TIMESTAMPTZ NOT NULL DEFAULT now()
);
CREATE INDEX sandbox_refunds_order ON sandbox_refunds (channel_order_no);
