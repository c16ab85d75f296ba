CREATE OR REPLACE FUNCTION order_close_unpaid(p_order bigint, p_reason text, p_now timestamptz) RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
  PERFORM order_release_stock(p_order);
  UPDATE orders SET status = 'closed', closed_at = p_now, close_reason = p_reason WHERE id = p_order;
END
$$;
