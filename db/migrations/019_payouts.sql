-- Payouts (issue 12: tradeType 02 代付 and 03 提现). A payout is an order (orders row, trade_type 02/03, same
-- workflow id, query, notification and support as a payment) with its payee and limit bookkeeping here. The API
-- writes the order, this row and the day's reservation in one transaction; afterwards only the payout's workflow
-- (workflows/payout.ts) changes them, through activities.
CREATE TABLE payouts (
  order_id             TEXT PRIMARY KEY REFERENCES orders (order_id),
  merc_no              TEXT NOT NULL REFERENCES merchants (merc_no),
  payee_account        TEXT NOT NULL,
  payee_name           TEXT NOT NULL,
  payee_account_type   TEXT NOT NULL CHECK (payee_account_type IN ('alipay_logon_id', 'alipay_user_id', 'bank_card')),
  bank_code            TEXT,
  -- The day (Asia/Shanghai) whose limit the amount counts against, and whether it still does (a failed or rejected
  -- payout gives it back, once).
  limit_day            DATE NOT NULL,
  reserved             BOOLEAN NOT NULL DEFAULT true,
  approval             TEXT NOT NULL CHECK (approval IN ('not_required', 'pending', 'approved', 'rejected')),
  approval_actor       TEXT,
  approval_reason      TEXT,
  channel_transfer_no  TEXT,
  fail_reason          TEXT,
  created_at           TIMESTAMPTZ NOT NULL DEFAULT now(),
  updated_at           TIMESTAMPTZ NOT NULL DEFAULT now()
);

-- The per-merchant daily payout total has one writer per (merchant, day): this guarded row. Accepting a payout adds
-- its amount in one statement whose WHERE checks the limit; a failed or rejected payout subtracts it.
CREATE TABLE payout_daily_totals (
  merc_no       TEXT NOT NULL REFERENCES merchants (merc_no),
  day           DATE NOT NULL,
  reserved_fen  BIGINT NOT NULL DEFAULT 0 CHECK (reserved_fen >= 0),
  PRIMARY KEY (merc_no, day)
);

-- Per merchant: the daily limit in fen (NULL = the platform default PAYOUT_DAILY_LIMIT; 0 = no payouts) and whether
-- each payout waits for a support operator's approval before it is sent.
ALTER TABLE merchants ADD COLUMN payout_daily_limit_fen BIGINT CHECK (payout_daily_limit_fen >= 0);
ALTER TABLE merchants ADD COLUMN payout_approval_required BOOLEAN NOT NULL DEFAULT false;

-- Transfer calls are recorded with the order's (support timeline).
ALTER TABLE channel_calls DROP CONSTRAINT channel_calls_op_check;
ALTER TABLE channel_calls ADD CONSTRAINT channel_calls_op_check
  CHECK (op IN ('create', 'query', 'close', 'refund', 'refund_query', 'transfer', 'transfer_query'));
