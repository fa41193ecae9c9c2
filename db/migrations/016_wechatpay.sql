-- The WeChat Pay channel (channels/wechatpay/): a name channel_routes accepts, and merchants' own WeChat Pay accounts.
ALTER TABLE channel_routes DROP CONSTRAINT channel_routes_channel_check;
ALTER TABLE channel_routes ADD CONSTRAINT channel_routes_channel_check CHECK (channel IN ('sandbox', 'ipaynow', 'alipay', 'wechatpay'));

-- A merchant's own WeChat Pay merchant account (API v3); merchants without a row use the platform's (WECHATPAY_MCH_ID…).
-- private_key (the API certificate's key) and api_v3_key are sealed under MASTER_KEYS (never logged, never returned);
-- serial_no is the API certificate's serial; platform_keys is WeChat Pay's verification keys as a JSON array of
-- {serial, publicKey} (a platform certificate and its serial, or a public key and its PUB_KEY_ID_…);
-- base_url NULL = WECHATPAY_BASE_URL.
CREATE TABLE wechatpay_accounts (
  merc_no        TEXT PRIMARY KEY REFERENCES merchants (merc_no),
  mch_id         TEXT NOT NULL,
  app_id         TEXT NOT NULL,
  serial_no      TEXT NOT NULL,
  private_key    TEXT NOT NULL,
  api_v3_key     TEXT NOT NULL,
  platform_keys  JSONB NOT NULL CHECK (jsonb_typeof(platform_keys) = 'array'),
  base_url       TEXT,
  created_at     TIMESTAMPTZ NOT NULL DEFAULT now(),
  updated_at     TIMESTAMPTZ NOT NULL DEFAULT now()
);
CREATE INDEX wechatpay_accounts_platform_keys ON wechatpay_accounts USING gin (platform_keys jsonb_path_ops);
