-- Merchant administration (issue 14 part 1): the audit of every change made through the admin API (or the
-- create-merchant script, which calls the same use case), and the per-merchant limits it sets.

-- One row per administrative change: who (the admin operator's name, ADMIN_OPERATORS), what (action), which
-- merchant, and a redacted detail: never a key, a secret or a credential, only what changed (key ids, modes,
-- schedules, route lists, account ids). Written in the same transaction as the change itself.
CREATE TABLE admin_audit (
  id          BIGSERIAL PRIMARY KEY,
  actor       TEXT NOT NULL,
  action      TEXT NOT NULL,
  merc_no     TEXT NOT NULL,
  detail      JSONB NOT NULL DEFAULT '{}'::jsonb,
  created_at  TIMESTAMPTZ NOT NULL DEFAULT now()
);
CREATE INDEX admin_audit_merchant ON admin_audit (merc_no, id);

-- The merchant's own cap on orders not yet final (p0001/p0002); NULL = the platform's MAX_OPEN_ORDERS_PER_MERCHANT,
-- 0 = no cap for this merchant.
ALTER TABLE merchants ADD COLUMN max_open_orders INTEGER CHECK (max_open_orders >= 0);
