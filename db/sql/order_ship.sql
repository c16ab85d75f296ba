-- Ships a paid order of the shop. A held order answers 'order_under_review'.
-- The UPDATE's condition is re-checked on the latest row version after
-- waiting for a concurrent hold, so a hold and a ship of one order
-- serialise on its row lock: one of them wins, the other is refused (the
-- CHECK orders_not_shipped_while_held stands behind this). When the UPDATE
-- matched nothing, a paid order with a review can only have been held at
-- that moment, even if it was released since; anything else not paid is
-- 'invalid_state'.
CREATE OR REPLACE FUNCTION order_ship(p_shop bigint, p_order bigint, p_carrier text, p_tracking text,
                                      p_now timestamptz) RETURNS text LANGUAGE plpgsql AS $$
DECLARE
  v_status text;
  v_review text;
BEGIN
  IF NOT shipment_valid(p_carrier, p_tracking) THEN
    RETURN 'invalid_field';
  END IF;
  UPDATE orders SET status = 'shipped', carrier = p_carrier, tracking_no = p_tracking, shipped_at = p_now
   WHERE id = p_order AND shop_id = p_shop AND status = 'paid'
     AND review_status IS DISTINCT FROM 'under_review';
  IF FOUND THEN
    RETURN 'ok';
  END IF;
  SELECT status, review_status INTO v_status, v_review FROM orders WHERE id = p_order AND shop_id = p_shop;
  RETURN CASE WHEN v_status IS NULL THEN 'not_found'
              WHEN v_status = 'paid' AND v_review IS NOT NULL THEN 'order_under_review'
              ELSE 'invalid_state' END;
END
$$;
