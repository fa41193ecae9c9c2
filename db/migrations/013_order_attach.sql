-- The merchant's attach field of an order, kept for the channels that need something from it at create or query
-- time (Alipay jspay: the payer's buyer id, docs/channels.md). Older orders have none.
ALTER TABLE orders ADD COLUMN attach TEXT;
