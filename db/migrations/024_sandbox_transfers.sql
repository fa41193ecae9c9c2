-- The sandbox's payouts: one transfer per out_biz_no (our orderId), deduplicated — a repeat answers the first
-- transfer and moves nothing. `requests` counts the transfer requests received (tests assert "sent once").
-- SANDBOX_PAYOUT_MODE=delayed: made now, final from settles_at on (queries answer PENDING until then).
CREATE TABLE sandbox_transfers (
  out_biz_no      TEXT PRIMARY KEY,
  amount_fen      BIGINT NOT NULL CHECK (amount_fen > 0),
  payee_account   TEXT NOT NULL,
  requests        INTEGER NOT NULL DEFAULT 1,
  settles_at      TIMESTAMPTZ NOT NULL DEFAULT now(),
  created_at      TIMESTAMPTZ NOT NULL DEFAULT now()
);
