-- A person acts on an escalated start (031): support's "retry start" (support/start-retry.ts) starts the refund's or
-- payout's workflow through the same use case as the workers' start recovery and, once Temporal has taken it, clears
-- `start_escalated_at`, resets `start_tries` and closes the review with the decision 'start_retried' (the operator as
-- its actor, their reason as its decision_reason; a support_start_retried event on the order's trail).
ALTER TABLE order_reviews DROP CONSTRAINT order_reviews_decision_check;
ALTER TABLE order_reviews ADD CONSTRAINT order_reviews_decision_check CHECK (decision IN ('paid', 'unpaid', 'refunded', 'not_refunded', 'start_retried'));

-- Refund starts are recorded as payouts' are (030): `workflow_started_at`, set once Temporal took the start (a new
-- workflow, or one running already). The workers' refund start recovery claims only refunds without it, so a refund
-- whose workflow runs but has not been picked up yet (no worker free) is not counted or logged as never started.
ALTER TABLE refunds ADD COLUMN workflow_started_at TIMESTAMPTZ;
-- Refunds past r0001 were started. Those still r0001 are checked once by the recovery (a running workflow is only
-- recorded as started; one closed with the refund still r0001 goes to the human queue as before).
UPDATE refunds SET workflow_started_at = created_at WHERE refund_status <> 'r0001';
