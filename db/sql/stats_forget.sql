-- Forgets what the rollups hold of one shop (NULL: every shop) from a day
-- on, so that stats_rebuild can fold the raw rows again: the buckets and
-- per-day rows from that day, and the marks of the order facts from then.
-- Deletes, not TRUNCATE: the data pages go on reading the old figures
-- until the rebuild commits.
CREATE OR REPLACE FUNCTION stats_forget(p_shop bigint, p_from date) RETURNS void
LANGUAGE plpgsql AS $$
DECLARE
  v_at timestamptz := stats_day_start(p_from);
BEGIN
  DELETE FROM stats_shop WHERE (p_shop IS NULL OR shop_id = p_shop) AND at >= v_at;
  DELETE FROM stats_product WHERE (p_shop IS NULL OR shop_id = p_shop) AND day >= p_from;
  DELETE FROM stats_coupon WHERE (p_shop IS NULL OR shop_id = p_shop) AND day >= p_from;
  DELETE FROM stats_carrier WHERE (p_shop IS NULL OR shop_id = p_shop) AND day >= p_from;
  DELETE FROM stats_shop_buyers WHERE (p_shop IS NULL OR shop_id = p_shop) AND day >= p_from;
  DELETE FROM stats_shop_visitors WHERE (p_shop IS NULL OR shop_id = p_shop) AND day >= p_from;
  DELETE FROM stats_product_buyers b USING products p
   WHERE p.id = b.product_id AND (p_shop IS NULL OR p.shop_id = p_shop) AND b.day >= p_from;
  DELETE FROM stats_product_visitors v USING products p
   WHERE p.id = v.product_id AND (p_shop IS NULL OR p.shop_id = p_shop) AND v.day >= p_from;
  DELETE FROM stats_cs_writers WHERE (p_shop IS NULL OR shop_id = p_shop) AND day >= p_from;
  DELETE FROM stats_cs_rounds WHERE (p_shop IS NULL OR shop_id = p_shop) AND started_at >= v_at;
  DELETE FROM stats_cs_due d USING conversations c
   WHERE c.id = d.conversation_id AND (p_shop IS NULL OR c.shop_id = p_shop) AND d.day >= p_from;
  IF p_from = '-infinity' THEN
    DELETE FROM stats_order_marks k USING orders o
     WHERE o.id = k.order_id AND (p_shop IS NULL OR o.shop_id = p_shop);
    RETURN;
  END IF;
  UPDATE stats_order_marks k
     SET marks = k.marks & ~(CASE WHEN o.paid_at >= v_at THEN 1 ELSE 0 END
                             | CASE WHEN o.shipped_at >= v_at THEN 2 ELSE 0 END
                             | CASE WHEN o.completed_at >= v_at THEN 4 ELSE 0 END)::smallint
    FROM orders o
   WHERE o.id = k.order_id AND (p_shop IS NULL OR o.shop_id = p_shop)
     AND (o.paid_at >= v_at OR o.shipped_at >= v_at OR o.completed_at >= v_at);
END
$$;
