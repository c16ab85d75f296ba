-- Background work, a bounded batch per call; SKIP LOCKED lets several
-- instances share it. Both return how many orders they moved.
CREATE OR REPLACE FUNCTION orders_expire(p_now timestamptz, p_limit integer) RETURNS integer
LANGUAGE plpgsql AS $$
DECLARE
  v_id bigint;
  v_n  integer := 0;
BEGIN
  FOR v_id IN SELECT id FROM orders WHERE status = 'unpaid' AND expires_at <= p_now
               ORDER BY expires_at LIMIT p_limit FOR UPDATE SKIP LOCKED LOOP
    PERFORM order_close_unpaid(v_id, 'expired', p_now);
    v_n := v_n + 1;
  END LOOP;
  RETURN v_n;
END
$$;
