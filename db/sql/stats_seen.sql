-- First of the day: each candidate in stats_seen_in (shop, day, who, at)
-- that the per-day table p_table (stats_shop_buyers, stats_shop_visitors)
-- has not seen that day, or has seen only later, is recorded with its
-- earliest time, and counted in p_metric of the bucket of that time; one
-- seen later before moves from the later bucket to the earlier one. So a
-- day's buckets always sum to the day's distinct count, and the buckets
-- before a time of day to the distinct count until then, whatever order
-- the rows were folded in.
CREATE OR REPLACE FUNCTION stats_seen(p_table text, p_who text, p_type text, p_metric text)
RETURNS void LANGUAGE plpgsql AS $$
BEGIN
  EXECUTE format($q$
    WITH c AS (SELECT shop_id, day, who::%3$s AS who, min(at) AS at
                 FROM stats_seen_in GROUP BY 1, 2, 3),
    m AS (SELECT c.shop_id, c.day, c.who, c.at, t.first_at AS old_at
            FROM c LEFT JOIN %1$I t ON t.shop_id = c.shop_id AND t.day = c.day AND t.%2$I = c.who
           WHERE t.first_at IS NULL OR c.at < t.first_at),
    u AS (INSERT INTO %1$I AS t (shop_id, day, %2$I, first_at)
          SELECT shop_id, day, who, at FROM m
          ON CONFLICT (shop_id, day, %2$I) DO UPDATE SET first_at = EXCLUDED.first_at)
    INSERT INTO stats_delta (shop_id, at, %4$I)
    SELECT shop_id, at, 1 FROM m
    UNION ALL
    SELECT shop_id, old_at, -1 FROM m WHERE old_at IS NOT NULL
  $q$, p_table, p_who, p_type, p_metric);
  DELETE FROM stats_seen_in;
END
$$;
