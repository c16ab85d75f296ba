CREATE OR REPLACE FUNCTION order_confirm_receipt(p_buyer bigint, p_order bigint, p_now timestamptz) RETURNS text
LANGUAGE plpgsql AS $$
BEGIN
  UPDATE orders SET status = 'completed', completed_at = p_now
   WHERE id = p_order AND buyer_id = p_buyer AND status = 'shipped';
  IF FOUND THEN
    RETURN 'ok';
  END IF;
  PERFORM 1 FROM orders WHERE id = p_order AND buyer_id = p_buyer;
  RETURN CASE WHEN FOUND THEN 'invalid_state' ELSE 'not_found' END;
END
$$;
