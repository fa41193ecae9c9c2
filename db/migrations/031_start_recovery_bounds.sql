-- Start recovery is bounded (worker/start-recovery.ts). Each claim of a refund or payout whose workflow was never
-- started counts a try (`start_tries`); past START_RECOVERY_MAX_TRIES the item goes to the human queue
-- (`start_escalated_at` set, a review opened) and the workers claim it no more. A person fixes the cause; the
-- merchant's repeat of the same request starts it.
ALTER TABLE refunds ADD COLUMN start_tries INTEGER NOT NULL DEFAULT 0;
ALTER TABLE refunds ADD COLUMN start_escalated_at TIMESTAMPTZ;
ALTER TABLE payouts ADD COLUMN start_tries INTEGER NOT NULL DEFAULT 0;
ALTER TABLE payouts ADD COLUMN start_escalated_at TIMESTAMPTZ;
