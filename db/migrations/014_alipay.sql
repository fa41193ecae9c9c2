-- The Alipay channel (channels/alipay/): a name channel_routes accepts, and merchants' own Alipay applications.
ALTER TABLE channel_routes DROP CONSTRAINT channel_routes_channel_check;
ALTER TABLE channel_routes ADD CONSTRAINT channel_routes_channel_check CHECK (channel IN ('sandbox', 'ipaynow', 'alipay'));

-- A merchant's own Alipay application; merchants without a row use the platform's (ALIPAY_APP_ID…). private_key is
-- the application's RSA2 private key, sealed under MASTER_KEYS (never logged, never returned); alipay_public_key is
-- Alipay's public key for that application; gateway_url NULL = ALIPAY_GATEWAY_URL.
CREATE TABLE alipay_accounts (
  merc_no            TEXT PRIMARY KEY REFERENCES merchants (merc_no),
  app_id             TEXT NOT NULL,
  private_key        TEXT NOT NULL,
  alipay_public_key  TEXT NOT NULL,
  gateway_url        TEXT,
  created_at         TIMESTAMPTZ NOT NULL DEFAULT now(),
  updated_at         TIMESTAMPTZ NOT NULL DEFAULT now()
);
