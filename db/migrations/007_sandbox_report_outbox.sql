-- The sandbox channel's payment reports go through a durable outbox (issue 9: "a channel result never disappears").
-- The row is written in the transaction that marks the sandbox order paid, so a report exists for every payment its
-- books hold, whatever dies next. The API tries it at once; the workers' dispatcher (channels/sandbox/
-- report-dispatcher.ts) sends whatever is still pending along SANDBOX_REPORT_SCHEDULE, as a real channel retries its
-- callbacks. A report out of attempts stays here as 'exhausted' for a person (it is never deleted).
-- (005 is intentionally unused.)
CREATE TABLE sandbox_report_outbox (
  -- A sandbox order is paid once, so it has at most one report.
  channel_order_no  TEXT PRIMARY KEY REFERENCES sandbox_orders (channel_order_no),
  order_id          TEXT NOT NULL,
  state             TEXT NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'delivered', 'exhausted')),
  -- Attempts started (the API's immediate one included); the next one is due at next_attempt_at. A claim moves
  -- next_attempt_at past its lease, so a dispatcher that dies mid-attempt leaves the row due again afterwards.
  attempts          INTEGER NOT NULL DEFAULT 0,
  next_attempt_at   TIMESTAMPTZ NOT NULL DEFAULT now(),
  claim_token       TEXT,
  last_error        TEXT,
  handed_to         TEXT,
  created_at        TIMESTAMPTZ NOT NULL DEFAULT now(),
  delivered_at      TIMESTAMPTZ
);
CREATE INDEX sandbox_report_outbox_due ON sandbox_report_outbox (next_attempt_at) WHERE state = 'pending';
CREATE INDEX sandbox_report_outbox_exhausted ON sandbox_report_outbox (created_at) WHERE state = 'exhausted';
