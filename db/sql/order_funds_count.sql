-- Keeps the counters of shop_funds from the order_funds rows they count:
-- pending_orders (money in pending), after_sale_orders and
-- after_sale_cents (completed orders whose settlement waits for an open
-- after-sales request, and their money). Same transaction, whatever writes
-- the row, so the funds read is one row and always agrees with the rows.
CREATE OR REPLACE FUNCTION order_funds_count() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  v_orders  integer := 0;
  v_waiting integer := 0;
  v_cents   bigint := 0;
BEGIN
  IF NEW.state IN ('pending', 'awaiting_after_sale') THEN
    v_orders := 1;
  END IF;
  IF NEW.state = 'awaiting_after_sale' THEN
    v_waiting := 1;
    v_cents := NEW.pending_cents;
  END IF;
  IF TG_OP = 'UPDATE' THEN
    IF OLD.state IN ('pending', 'awaiting_after_sale') THEN
      v_orders := v_orders - 1;
    END IF;
    IF OLD.state = 'awaiting_after_sale' THEN
      v_waiting := v_waiting - 1;
      v_cents := v_cents - OLD.pending_cents;
    END IF;
  END IF;
  IF v_orders <> 0 OR v_waiting <> 0 OR v_cents <> 0 THEN
    UPDATE shop_funds
       SET pending_orders = pending_orders + v_orders,
           after_sale_orders = after_sale_orders + v_waiting,
           after_sale_cents = after_sale_cents + v_cents
     WHERE shop_id = NEW.shop_id;
  END IF;
  RETURN NULL;
END
$$;
