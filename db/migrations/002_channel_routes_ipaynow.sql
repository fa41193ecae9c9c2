-- Which channel serves which payway for a merchant. payway_code '*' covers every payway the merchant has no row
-- for; a merchant without rows uses the configured DEFAULT_CHANNEL.
CREATE TABLE channel_routes (
  merc_no      TEXT NOT NULL REFERENCES merchants (merc_no),
  payway_code  TEXT NOT NULL CHECK (payway_code IN ('*', 'alipay', 'wxpay', 'unionpay')),
  channel      TEXT NOT NULL CHECK (channel IN ('sandbox', 'ipaynow')),
  updated_at   TIMESTAMPTZ NOT NULL DEFAULT now(),
  PRIMARY KEY (merc_no, payway_code)
);

-- A merchant's own IPayNow application; merchants without a row use the platform's (IPAYNOW_APP_ID/IPAYNOW_APP_KEY).
-- base_url NULL = IPAYNOW_BASE_URL. The key is a secret: never logged, never returned by an interface.
CREATE TABLE ipaynow_accounts (
  merc_no     TEXT PRIMARY KEY REFERENCES merchants (merc_no),
  app_id      TEXT NOT NULL,
  app_key     TEXT NOT NULL,
  base_url    TEXT,
  created_at  TIMESTAMPTZ NOT NULL DEFAULT now(),
  updated_at  TIMESTAMPTZ NOT NULL DEFAULT now()
);

-- Every callback a channel sent us (malformed, forged and repeated ones included), with the verification result and
-- what was done with it. outcome: received (being handled) | accepted | duplicate | rejected | retry (answered
-- "try again": delivery failed or the same callback was being handled at that moment).
CREATE TABLE channel_callbacks (
  id               BIGSERIAL PRIMARY KEY,
  channel          TEXT NOT NULL,
  received_at      TIMESTAMPTZ NOT NULL DEFAULT now(),
  order_id         TEXT,
  funcode          TEXT,
  status_code      TEXT,
  signature_valid  BOOLEAN,
  sign_rule        TEXT,
  outcome          TEXT NOT NULL CHECK (outcome IN ('received', 'accepted', 'duplicate', 'rejected', 'retry')),
  reason           TEXT,
  dedup_key        TEXT,
  fields           JSONB,
  body_bytes       INTEGER NOT NULL
);
CREATE INDEX channel_callbacks_order ON channel_callbacks (order_id, received_at);

-- The effect of one distinct callback (same dedup_key = the same news): the first receipt claims it and hands it to
-- the order once; later receipts are duplicates. A failed or abandoned claim can be taken over by a retry.
CREATE TABLE channel_callback_effects (
  dedup_key     TEXT PRIMARY KEY,
  callback_id   BIGINT NOT NULL,
  state         TEXT NOT NULL CHECK (state IN ('claimed', 'handed_over', 'failed')),
  handed_to     TEXT,
  updated_at    TIMESTAMPTZ NOT NULL DEFAULT now()
);
