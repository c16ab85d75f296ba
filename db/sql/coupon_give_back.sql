-- Gives a coupon back when the order that used it closes without being
-- fulfilled: cancelled or expired unpaid, or closed by the platform's
-- review. Only while the buyer coupon is still valid at the close; an
-- expired one stays used (by an order that never completed). A trigger, so
-- every path that closes orders (order_cancel, orders_expire, order_pay
-- past the deadline, review_close) gives back without changing.
CREATE OR REPLACE FUNCTION coupon_give_back() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  v_coupon bigint;
BEGIN
  UPDATE buyer_coupons SET used_order_id = NULL, used_at = NULL
   WHERE id = NEW.coupon_id AND used_order_id = NEW.id AND valid_to > NEW.closed_at
  RETURNING coupon_id INTO v_coupon;
  IF v_coupon IS NOT NULL THEN
    UPDATE coupons SET used = used - 1 WHERE id = v_coupon;
  END IF;
  RETURN NULL;
END
$$;
