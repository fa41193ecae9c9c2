-- Channel status polling moves out of the order workflows into the workers' poller: every open order carries the
-- time of its next poll; the poller claims due orders in batches (FOR UPDATE SKIP LOCKED, so several workers share
-- the work) and wakes a workflow only when the channel reports a final result.
ALTER TABLE orders ADD COLUMN next_poll_at TIMESTAMPTZ;
ALTER TABLE orders ADD COLUMN poll_count INTEGER NOT NULL DEFAULT 0;
UPDATE orders SET next_poll_at = now() WHERE pay_status IN ('p0001', 'p0002');
CREATE INDEX orders_due_poll ON orders (next_poll_at) WHERE next_poll_at IS NOT NULL;
