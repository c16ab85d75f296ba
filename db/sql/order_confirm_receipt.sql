-- The buyer confirms receipt of a shipped order: it completes, and settles
-- in the same transaction unless an after-sales request is open
-- (funds_order_settle).
CREATE OR REPLACE FUNCTION order_confirm_receipt(p_buyer bigint, p_order bigint, p_now timestamptz) RETURNS text
LANGUAGE plpgsql AS $$
BEGIN
  UPDATE orders SET status = 'completed', completed_at = p_now
   WHERE id = p_order AND buyer_id = p_buyer AND status = 'shipped';
  IF FOUND THEN
    PERFORM funds_order_settle(p_order, p_now);
    RETURN 'ok';
  END IF;
  PERFORM 1 FROM orders WHERE id = p_order AND buyer_id = p_buyer;
  RETURN CASE WHEN FOUND THEN 'invalid_state' ELSE 'not_found' END;
END
$$;
