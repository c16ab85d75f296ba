-- Completes orders shipped 10 days ago, a bounded batch per call (SKIP
-- LOCKED lets several instances share it), and settles each in the same
-- transaction unless an after-sales request is open (funds_order_settle).
-- Returns how many orders it completed.
CREATE OR REPLACE FUNCTION orders_autocomplete(p_now timestamptz, p_limit integer) RETURNS integer
LANGUAGE plpgsql AS $$
DECLARE
  v_id bigint;
  v_n  integer := 0;
BEGIN
  FOR v_id IN SELECT id FROM orders WHERE status = 'shipped' AND shipped_at <= p_now - interval '10 days'
               ORDER BY shipped_at LIMIT p_limit FOR UPDATE SKIP LOCKED LOOP
    UPDATE orders SET status = 'completed', completed_at = p_now WHERE id = v_id;
    PERFORM funds_order_settle(v_id, p_now);
    v_n := v_n + 1;
  END LOOP;
  RETURN v_n;
END
$$;
