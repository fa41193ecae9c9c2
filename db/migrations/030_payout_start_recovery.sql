-- Payout start recovery (payouts/start-recovery.ts). The API records a payout (order p0001, its payee, its amount
-- counted against the day's limit) and then starts its workflow; an API killed or a Temporal unreachable between the
-- two leaves a payout that nothing would move, holding its share of the limit. A payout waits in p0001 for a long
-- time with its workflow running too (approval, a transfer being settled), so the start itself is recorded:
-- `workflow_started_at`, set once Temporal took the start (or had the workflow already). The workers claim payouts
-- without it PAYOUT_START_RECOVERY_AFTER after they were accepted and start their workflow (idempotent).
-- `start_checked_at`: when a worker last tried, so that each such payout is tried once per interval by one worker.
ALTER TABLE payouts ADD COLUMN workflow_started_at TIMESTAMPTZ;
ALTER TABLE payouts ADD COLUMN start_checked_at TIMESTAMPTZ;
-- Payouts past p0001 were started. Those still p0001 are checked once by the recovery (a start that exists already
-- only records it).
UPDATE payouts p SET workflow_started_at = p.created_at FROM orders o WHERE o.order_id = p.order_id AND o.pay_status <> 'p0001';
CREATE INDEX payouts_unstarted ON payouts (created_at) WHERE workflow_started_at IS NULL;
