-- Rejecting a request ends it; a completed order whose settlement waited
-- for it settles in the same transaction (funds_order_settle).
CREATE OR REPLACE FUNCTION after_sale_reject(p_shop bigint, p_id bigint, p_reason text, p_now timestamptz)
RETURNS text LANGUAGE plpgsql AS $$
DECLARE
  v_order bigint;
BEGIN
  UPDATE after_sales SET status = 'rejected', reject_reason = p_reason, decided_at = p_now
   WHERE id = p_id AND shop_id = p_shop AND status = 'requested'
  RETURNING order_id INTO v_order;
  IF FOUND THEN
    UPDATE orders SET after_sales_open = false WHERE id = v_order;
    PERFORM funds_order_settle(v_order, p_now);
    RETURN 'ok';
  END IF;
  PERFORM 1 FROM after_sales WHERE id = p_id AND shop_id = p_shop;
  RETURN CASE WHEN FOUND THEN 'invalid_state' ELSE 'not_found' END;
END
$$;
