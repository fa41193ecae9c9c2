-- Reconciliation (对账): one run per channel and Asia/Shanghai day (reconciliation/, workflows/reconciliation.ts).
CREATE TABLE recon_runs (
  channel             TEXT NOT NULL,
  statement_date      DATE NOT NULL,
  status              TEXT NOT NULL CHECK (status IN ('running', 'done', 'failed', 'unsupported')),
  workflow_id         TEXT NOT NULL,
  -- The workflow run of the day's latest run; `attempts` counts the runs (a rerun compares again and acts only on
  -- what was not acted on), not the statement downloads within one run.
  run_id              TEXT NOT NULL,
  attempts            INTEGER NOT NULL DEFAULT 1,
  lines               INTEGER NOT NULL DEFAULT 0,
  matched             INTEGER NOT NULL DEFAULT 0,
  channel_pay_fen     BIGINT NOT NULL DEFAULT 0,
  channel_refund_fen  BIGINT NOT NULL DEFAULT 0,
  -- Open discrepancies per kind, as of the run's last comparison: {"paid_not_ours": 1, …}.
  counts              JSONB NOT NULL DEFAULT '{}'::jsonb,
  error               TEXT,
  started_at          TIMESTAMPTZ NOT NULL DEFAULT now(),
  finished_at         TIMESTAMPTZ,
  PRIMARY KEY (channel, statement_date)
);
CREATE INDEX recon_runs_date ON recon_runs (statement_date DESC, channel);

-- The statement as downloaded and parsed, replaced on each run of the day.
CREATE TABLE recon_lines (
  channel           TEXT NOT NULL,
  statement_date    DATE NOT NULL,
  seq               INTEGER NOT NULL,
  type              TEXT NOT NULL CHECK (type IN ('pay', 'refund')),
  channel_trade_no  TEXT NOT NULL,
  order_id          TEXT NOT NULL,
  refund_id         TEXT,
  amount_fen        BIGINT NOT NULL,
  status            TEXT NOT NULL,
  at                TIMESTAMPTZ NOT NULL,
  PRIMARY KEY (channel, statement_date, seq),
  FOREIGN KEY (channel, statement_date) REFERENCES recon_runs (channel, statement_date) ON DELETE CASCADE
);

-- What a comparison found; one row per finding (key), kept across reruns: cleared_at is set when a later run no
-- longer finds it (e.g. the late payment it reported has been applied).
CREATE TABLE recon_discrepancies (
  id                BIGSERIAL PRIMARY KEY,
  channel           TEXT NOT NULL,
  statement_date    DATE NOT NULL,
  key               TEXT NOT NULL,
  kind              TEXT NOT NULL CHECK (kind IN ('paid_not_ours', 'unknown_order', 'amount_mismatch', 'paid_elsewhere', 'missing_at_channel', 'refund_mismatch')),
  order_id          TEXT NOT NULL,
  refund_id         TEXT,
  channel_trade_no  TEXT,
  channel_fen       BIGINT,
  our_fen           BIGINT,
  detail            TEXT NOT NULL,
  line              JSONB,
  action            TEXT NOT NULL CHECK (action IN ('report', 'review', 'none')),
  -- What acting on it did: the report handed to 'workflow' / 'follow-up' / 'ignored', or 'review-opened' / 'review-open'.
  outcome           TEXT,
  acted_at          TIMESTAMPTZ,
  found_at          TIMESTAMPTZ NOT NULL DEFAULT now(),
  cleared_at        TIMESTAMPTZ,
  UNIQUE (channel, statement_date, key),
  FOREIGN KEY (channel, statement_date) REFERENCES recon_runs (channel, statement_date) ON DELETE CASCADE
);

-- Reconciliation's findings wait in the human queue as reviews of kind 'reconciliation': one open review per order
-- (amount mismatch, missing at the channel) and per refund (refund_id set: a refund mismatch).
ALTER TABLE order_reviews DROP CONSTRAINT order_reviews_kind_check;
ALTER TABLE order_reviews ADD CONSTRAINT order_reviews_kind_check CHECK (kind IN ('unknown_result', 'amount_mismatch', 'refund_unknown', 'reconciliation'));

-- Our payments of a channel's day (trade_end_time is yyyyMMddHHmmss in Asia/Shanghai), and our refunds likewise.
CREATE INDEX orders_channel_paid_day ON orders (channel, trade_end_time) WHERE pay_status = 'p0000';
CREATE INDEX refunds_channel_refunded_day ON refunds (channel, refund_end_time) WHERE refund_status = 'r0000';
