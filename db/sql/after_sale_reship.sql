-- A reship goes out within 15 days of its approval. It ends the request: a
-- completed order whose settlement waited for it settles in the same
-- transaction (funds_order_settle).
CREATE OR REPLACE FUNCTION after_sale_reship(p_shop bigint, p_id bigint, p_carrier text, p_tracking text,
                                  p_now timestamptz) RETURNS text LANGUAGE plpgsql AS $$
DECLARE
  a after_sales%ROWTYPE;
BEGIN
  IF NOT shipment_valid(p_carrier, p_tracking) THEN
    RETURN 'invalid_field';
  END IF;
  SELECT * INTO a FROM after_sales WHERE id = p_id AND shop_id = p_shop FOR UPDATE;
  IF NOT FOUND THEN
    RETURN 'not_found';
  ELSIF a.type <> 'reship' OR a.status <> 'approved' THEN
    RETURN 'invalid_state';
  ELSIF p_now > a.decided_at + interval '15 days' THEN
    RETURN 'reship_window_closed';
  END IF;
  UPDATE after_sales SET status = 'reshipped', carrier = p_carrier, tracking_no = p_tracking,
                         reshipped_at = p_now
   WHERE id = p_id;
  UPDATE orders SET after_sales_open = false WHERE id = a.order_id;
  PERFORM funds_order_settle(a.order_id, p_now);
  RETURN 'ok';
END
$$;
