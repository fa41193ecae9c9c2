-- Refund start recovery (refunds/start-recovery.ts). The API records a refund (r0001, its amount held) and then starts
-- its workflow; an API killed or a Temporal unreachable between the two leaves a refund that nothing would move.
-- The workers claim refunds still r0001 after REFUND_START_RECOVERY_AFTER and start their workflow (idempotent).
-- `start_checked_at`: when a worker last did so, so that each such refund is tried once per interval by one worker.
ALTER TABLE refunds ADD COLUMN start_checked_at TIMESTAMPTZ;
CREATE INDEX refunds_submitted ON refunds (created_at) WHERE refund_status = 'r0001';
