-- The sandbox's delayed refunds (SANDBOX_REFUND_MODE=delayed): a refund is accepted at once and counts as made from
-- settles_at on (refund queries answer PENDING until then).
ALTER TABLE sandbox_refunds ADD COLUMN settles_at TIMESTAMPTZ NOT NULL DEFAULT now();
