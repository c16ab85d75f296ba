-- How far the shop is on the task's condition, from its own data only
-- (docs/growth.md "Conditions"): counts stop at the target, so that a
-- large shop costs no more than the target's rows; the reply rate is the
-- percentage of the last condition_days MERCHANTD_TZ days (today
-- included) in the data pages' day rollups (stats_shop, docs/data.md).
-- PL/pgSQL runs the one statement of the task's kind, each with its plan
-- kept: half the time of a SQL function holding all of them.
CREATE OR REPLACE FUNCTION growth_progress(p_shop bigint, t growth_tasks, p_now timestamptz)
RETURNS integer STABLE LANGUAGE plpgsql AS $$
DECLARE
  v integer;
BEGIN
  IF t.condition_kind = 'product_on_sale' THEN
    SELECT count(*) INTO v FROM (SELECT 1 FROM products p WHERE p.shop_id = p_shop
                                    AND p.status = 'on_sale' AND p.deleted_at IS NULL
                                  LIMIT t.target) x;
  ELSIF t.condition_kind = 'auto_reply_configured' THEN
    SELECT count(*) INTO v FROM auto_replies a
     WHERE a.shop_id = p_shop
       AND (a.greeting IS NOT NULL OR a.away_message IS NOT NULL
            OR jsonb_array_length(a.keyword_rules) > 0);
  ELSIF t.condition_kind = 'order_shipped_fast' THEN
    SELECT count(*) INTO v FROM (SELECT 1 FROM orders o WHERE o.shop_id = p_shop
                                    AND o.shipped_at IS NOT NULL AND o.paid_at IS NOT NULL
                                    AND o.shipped_at <= o.paid_at
                                                        + make_interval(hours => t.condition_hours)
                                  LIMIT t.target) x;
  ELSIF t.condition_kind = 'orders_shipped' THEN
    SELECT count(*) INTO v FROM (SELECT 1 FROM orders o WHERE o.shop_id = p_shop
                                    AND o.shipped_at IS NOT NULL LIMIT t.target) x;
  ELSIF t.condition_kind = 'coupons_created' THEN
    SELECT count(*) INTO v FROM (SELECT 1 FROM coupons c WHERE c.shop_id = p_shop
                                  LIMIT t.target) x;
  ELSIF t.condition_kind = 'campaign_entries_approved' THEN
    SELECT count(*) INTO v FROM (SELECT 1 FROM campaign_entries e WHERE e.shop_id = p_shop
                                    AND e.status = 'approved' LIMIT t.target) x;
  ELSIF t.condition_kind = 'live_coupon_pushed' THEN
    SELECT count(*) INTO v FROM (SELECT 1 FROM live_rooms r WHERE r.shop_id = p_shop
                                    AND r.pushed_at IS NOT NULL LIMIT t.target) x;
  ELSIF t.condition_kind = 'reply_rate_3min' THEN
    SELECT CASE WHEN sum(s.cs_rounds) > 0
                THEN floor(100 * sum(s.cs_rounds_3min) / sum(s.cs_rounds)) ELSE 0 END INTO v
      FROM stats_shop s
     WHERE s.shop_id = p_shop AND s.grain = 'd'
       AND s.at >= stats_day_start((p_now AT TIME ZONE platform_zone())::date
                                   - (t.condition_days - 1))
       AND s.at <= p_now;
  END IF;
  RETURN coalesce(v, 0);
END
$$;
