-- The first day with something to fold for the shop (NULL: any shop), or
-- NULL when there is nothing: the earliest payment (refunds, shipments and
-- completions come after it), message, claim or view.
CREATE OR REPLACE FUNCTION stats_first_day(p_shop bigint) RETURNS date STABLE LANGUAGE sql AS $$
  SELECT stats_day(least(
    (SELECT min(paid_at) FROM orders WHERE p_shop IS NULL OR shop_id = p_shop),
    (SELECT min(created_at) FROM messages WHERE p_shop IS NULL OR shop_id = p_shop),
    (SELECT min(claimed_at) FROM buyer_coupons WHERE p_shop IS NULL OR shop_id = p_shop),
    (SELECT min(minute) FROM page_views WHERE p_shop IS NULL OR shop_id = p_shop)))
$$;
