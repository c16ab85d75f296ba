CREATE OR REPLACE FUNCTION order_count(p_shop bigint, p_tab text, p_delta integer) RETURNS void
LANGUAGE sql AS $$
  INSERT INTO shop_order_counts AS c (shop_id, tab, n) VALUES (p_shop, p_tab, greatest(p_delta, 0))
  ON CONFLICT (shop_id, tab) DO UPDATE SET n = c.n + p_delta
$$;
