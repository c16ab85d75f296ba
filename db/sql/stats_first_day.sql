-- The first day with something to fold for the shop (NULL: any shop), or
-- NULL when there is nothing: the earliest payment (refunds, shipments and
-- completions come after it), message, claim, promoted impression or view. Views are looked for
-- a daily partition at a time from the oldest, so that the answer costs a
-- day of views, not all of them.
CREATE OR REPLACE FUNCTION stats_first_day(p_shop bigint) RETURNS date
STABLE LANGUAGE plpgsql AS $$
DECLARE
  v_first timestamptz := least(
    (SELECT min(paid_at) FROM orders WHERE p_shop IS NULL OR shop_id = p_shop),
    (SELECT min(created_at) FROM messages WHERE p_shop IS NULL OR shop_id = p_shop),
    (SELECT min(claimed_at) FROM buyer_coupons WHERE p_shop IS NULL OR shop_id = p_shop),
    (SELECT min(created_at) FROM promotion_impressions WHERE p_shop IS NULL OR shop_id = p_shop));
  v_view  timestamptz;
  p       record;
BEGIN
  FOR p IN SELECT name, lo FROM page_views_partition_list() ORDER BY lo LOOP
    EXIT WHEN v_first IS NOT NULL AND p.lo >= v_first;
    EXECUTE format('SELECT min(minute) FROM %I WHERE $1 IS NULL OR shop_id = $1', p.name)
      INTO v_view USING p_shop;
    EXIT WHEN v_view IS NOT NULL;
  END LOOP;
  RETURN stats_day(least(v_first, v_view));
END
$$;
