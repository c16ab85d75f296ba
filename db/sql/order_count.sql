-- Moves a shop's count of a tab by p_delta (shop_order_counts). PL/pgSQL,
-- not SQL, so that a session plans the upsert once: order_counts_keep runs
-- it twice for every status change.
CREATE OR REPLACE FUNCTION order_count(p_shop bigint, p_tab text, p_delta integer) RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO shop_order_counts AS c (shop_id, tab, n) VALUES (p_shop, p_tab, greatest(p_delta, 0))
  ON CONFLICT (shop_id, tab) DO UPDATE SET n = c.n + p_delta;
END
$$;
