-- Orders not yet final (p0001 submitted, p0002 paying; domain/pay-status.ts OPEN_STATUSES) per merchant, for
-- MAX_OPEN_ORDERS_PER_MERCHANT (api/open-order-cap.ts). Kept by triggers on orders, so that a unified order reads one
-- row instead of counting up to 10,000 orders; they fire only when an order enters or leaves the open statuses
-- (insert, final transition), not on p0001 → p0002 or on any other write.
CREATE TABLE merchant_open_orders (
  merc_no      TEXT PRIMARY KEY REFERENCES merchants (merc_no),
  open_orders  INTEGER NOT NULL DEFAULT 0 CHECK (open_orders >= 0)
);

CREATE FUNCTION orders_count_open() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP IN ('UPDATE', 'DELETE') AND OLD.pay_status IN ('p0001', 'p0002') THEN
    UPDATE merchant_open_orders SET open_orders = open_orders - 1 WHERE merc_no = OLD.merc_no;
  END IF;
  IF TG_OP IN ('INSERT', 'UPDATE') AND NEW.pay_status IN ('p0001', 'p0002') THEN
    INSERT INTO merchant_open_orders AS c (merc_no, open_orders) VALUES (NEW.merc_no, 1)
      ON CONFLICT (merc_no) DO UPDATE SET open_orders = c.open_orders + 1;
  END IF;
  RETURN NULL;
END $$;

-- No order is written while the triggers are created and the counts taken (the lock lasts until this commits).
LOCK TABLE orders IN SHARE ROW EXCLUSIVE MODE;
CREATE TRIGGER orders_open_inserted AFTER INSERT ON orders
  FOR EACH ROW WHEN (NEW.pay_status IN ('p0001', 'p0002')) EXECUTE FUNCTION orders_count_open();
CREATE TRIGGER orders_open_changed AFTER UPDATE OF pay_status ON orders
  FOR EACH ROW WHEN ((OLD.pay_status IN ('p0001', 'p0002')) IS DISTINCT FROM (NEW.pay_status IN ('p0001', 'p0002')))
  EXECUTE FUNCTION orders_count_open();
CREATE TRIGGER orders_open_deleted AFTER DELETE ON orders
  FOR EACH ROW WHEN (OLD.pay_status IN ('p0001', 'p0002')) EXECUTE FUNCTION orders_count_open();

INSERT INTO merchant_open_orders (merc_no, open_orders)
  SELECT merc_no, count(*) FROM orders WHERE pay_status IN ('p0001', 'p0002') GROUP BY merc_no;
