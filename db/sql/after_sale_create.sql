CREATE OR REPLACE FUNCTION after_sale_create(p_buyer bigint, p_order bigint, p_type text, p_reason text,
                                  p_amount bigint, p_now timestamptz)
RETURNS TABLE (result text, after_sale_id bigint) LANGUAGE plpgsql AS $$
DECLARE
  o        orders%ROWTYPE;
  v_amount bigint;
  v_id     bigint;
BEGIN
  SELECT * INTO o FROM orders WHERE id = p_order AND buyer_id = p_buyer FOR UPDATE;
  IF NOT FOUND THEN
    RETURN QUERY SELECT 'not_found', NULL::bigint;
    RETURN;
  END IF;
  IF o.status NOT IN ('paid', 'shipped', 'completed') OR (p_type = 'reship' AND o.status = 'paid') THEN
    RETURN QUERY SELECT 'invalid_state', NULL::bigint;
    RETURN;
  END IF;
  IF o.after_sales_open THEN
    RETURN QUERY SELECT 'after_sale_open', NULL::bigint;
    RETURN;
  END IF;
  IF p_type = 'reship' THEN
    v_amount := 0;
  ELSE
    v_amount := coalesce(p_amount, o.paid_cents - o.refunded_cents);
    IF v_amount <= 0 OR v_amount > o.paid_cents - o.refunded_cents THEN
      RETURN QUERY SELECT 'refund_exceeds_paid', NULL::bigint;
      RETURN;
    END IF;
  END IF;
  INSERT INTO after_sales (order_id, shop_id, buyer_id, type, reason, amount_cents, status, created_at)
  VALUES (p_order, o.shop_id, p_buyer, p_type, p_reason, v_amount, 'requested', p_now)
  RETURNING id INTO v_id;
  UPDATE orders SET after_sales_open = true WHERE id = p_order;
  RETURN QUERY SELECT 'ok', v_id;
END
$$;
