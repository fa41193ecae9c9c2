-- A person acts on an escalated start (031): support's "retry start" (support/start-retry.ts) starts the refund's or
-- payout's workflow through the same use case as the workers' start recovery and, once Temporal has taken it, clears
-- `start_escalated_at`, resets `start_tries` and closes the review with the decision 'start_retried' (the operator as
-- its actor, their reason as its decision_reason; a support_start_retried event on the order's trail).
ALTER TABLE order_reviews DROP CONSTRAINT order_reviews_decision_check;
ALTER TABLE order_reviews ADD CONSTRAINT order_reviews_decision_check CHECK (decision IN ('paid', 'unpaid', 'refunded', 'not_refunded', 'start_retried'));
