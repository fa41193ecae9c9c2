-- The payer's return page (unified order returnUrl): validated and, until now, dropped. The sandbox cashier sends the
-- payer there after paying. NULL for orders placed before this migration.
ALTER TABLE orders ADD COLUMN return_url TEXT;

-- The support console finds an order by any of its numbers: the merchant's order number without the merchant, and
-- the channel's order number without the channel (orders_channel_order_no leads with channel).
CREATE INDEX orders_merc_order_no_any ON orders (merc_order_no);
CREATE INDEX orders_channel_order_no_any ON orders (channel_order_no) WHERE channel_order_no IS NOT NULL;
