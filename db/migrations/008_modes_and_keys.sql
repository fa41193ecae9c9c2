-- Live and test mode, keys at rest, rotation and sign types (issue 10).
--
-- A merchant has keys of two modes: a live key makes live orders (real channels only), a test key makes test orders
-- (the sandbox only). Which key verified a request decides its mode. Keys are stored sealed (secrets/keyring.ts,
-- AES-256-GCM under MASTER_KEYS); rows written before a master key was configured hold plaintext until
-- `npm run merchant -- rekey` seals them. A rotated key keeps verifying until expires_at (the overlap window).
CREATE TABLE merchant_keys (
  key_id       TEXT PRIMARY KEY,
  merc_no      TEXT NOT NULL REFERENCES merchants (merc_no),
  mode         TEXT NOT NULL CHECK (mode IN ('live', 'test')),
  secret       TEXT NOT NULL,
  created_at   TIMESTAMPTZ NOT NULL DEFAULT now(),
  -- NULL = current; set by a rotation: the key verifies until then, and is never used again after.
  expires_at   TIMESTAMPTZ
);
CREATE INDEX merchant_keys_merc_no ON merchant_keys (merc_no);

-- The key a merchant had becomes its live key (it made real-channel orders); a test key is made by the merchant CLI
-- (`rotate-key --mode test`) or, for the demo merchant, at start.
INSERT INTO merchant_keys (key_id, merc_no, mode, secret, created_at)
  SELECT 'lk_' || substr(md5(merc_no || sign_key), 1, 16), merc_no, 'live', sign_key, created_at FROM merchants;
ALTER TABLE merchants DROP COLUMN sign_key;

-- The sign types a merchant may use. Merchants that existed keep every type (legacy); new ones get the raw-body
-- HMAC (signature header) only, unless created with others.
ALTER TABLE merchants ADD COLUMN sign_types TEXT[] NOT NULL DEFAULT ARRAY['MD5', 'HMAC-SHA256', 'HMAC-SHA256-RAW'];
ALTER TABLE merchants ALTER COLUMN sign_types SET DEFAULT ARRAY['HMAC-SHA256-RAW'];

-- Every order is live or test; orders from before modes were live.
ALTER TABLE orders ADD COLUMN livemode BOOLEAN NOT NULL DEFAULT true;

-- Signatures of the raw-body scheme already accepted, kept for the timestamp tolerance: the same signed request is
-- not accepted twice.
CREATE TABLE signature_replays (
  merc_no      TEXT NOT NULL,
  signature    TEXT NOT NULL,
  expires_at   TIMESTAMPTZ NOT NULL,
  PRIMARY KEY (merc_no, signature)
);
CREATE INDEX signature_replays_expires_at ON signature_replays (expires_at);
