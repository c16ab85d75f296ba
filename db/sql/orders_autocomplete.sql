CREATE OR REPLACE FUNCTION orders_autocomplete(p_now timestamptz, p_limit integer) RETURNS integer
LANGUAGE sql AS $$
  WITH due AS (SELECT id FROM orders WHERE status = 'shipped' AND shipped_at <= p_now - interval '10 days'
                ORDER BY shipped_at LIMIT p_limit FOR UPDATE SKIP LOCKED),
       done AS (UPDATE orders o SET status = 'completed', completed_at = p_now
                  FROM due WHERE o.id = due.id RETURNING 1)
  SELECT count(*)::integer FROM done
$$;
