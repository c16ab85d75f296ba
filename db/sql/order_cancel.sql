CREATE OR REPLACE FUNCTION order_cancel(p_buyer bigint, p_order bigint, p_now timestamptz) RETURNS text
LANGUAGE plpgsql AS $$
DECLARE
  v_status text;
BEGIN
  SELECT status INTO v_status FROM orders WHERE id = p_order AND buyer_id = p_buyer FOR UPDATE;
  IF NOT FOUND THEN
    RETURN 'not_found';
  ELSIF v_status <> 'unpaid' THEN
    RETURN 'invalid_state';
  END IF;
  PERFORM order_close_unpaid(p_order, 'cancelled', p_now);
  RETURN 'ok';
END
$$;
