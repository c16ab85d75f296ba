-- Evaluates the shops with recent activity (the job evaluate_growth, every
-- minute; docs/growth.md "Progress"): those that since five minutes
-- before the last evaluation put a product on sale or changed one,
-- shipped an order, made a coupon, had a campaign entry approved, pushed a
-- live coupon, changed their auto-reply or (while a reply-rate task is
-- active) had customer-service rounds today or yesterday. Each is an index
-- range scan; the five minutes cover writes whose transaction took time to
-- commit. Before the first evaluation there is no such window: the sweep
-- (growth_sweep) takes every shop then. Returns how many shops were looked
-- at and how many medals were awarded (growth_evaluate_shops).
CREATE OR REPLACE FUNCTION growth_evaluate(p_now timestamptz, OUT shops integer, OUT medals integer)
LANGUAGE plpgsql AS $$
DECLARE
  v_since timestamptz;
  v_shops bigint[];
BEGIN
  SELECT evaluated_to - interval '5 minutes' INTO v_since FROM growth_state;
  v_shops := ARRAY(
    SELECT DISTINCT a.shop_id FROM (
      SELECT p.shop_id FROM products p WHERE p.updated_at > v_since
      UNION ALL
      SELECT o.shop_id FROM orders o WHERE o.status = 'shipped' AND o.shipped_at > v_since
      UNION ALL
      SELECT c.shop_id FROM coupons c WHERE c.created_at > v_since
      UNION ALL
      SELECT e.shop_id FROM campaign_entries e
       WHERE e.status = 'approved' AND e.decided_at > v_since
      UNION ALL
      SELECT r.shop_id FROM live_rooms r WHERE r.pushed_at > v_since
      UNION ALL
      SELECT a.shop_id FROM auto_replies a WHERE a.updated_at > v_since
      UNION ALL
      SELECT s.shop_id FROM stats_shop s
       WHERE v_since IS NOT NULL AND s.grain = 'd' AND s.cs_rounds > 0
         AND s.at >= stats_day_start((p_now AT TIME ZONE platform_zone())::date - 1)
         AND EXISTS (SELECT 1 FROM growth_tasks t
                      WHERE t.active AND t.condition_kind = 'reply_rate_3min')) a
    ORDER BY 1);
  shops := cardinality(v_shops);
  medals := growth_evaluate_shops(v_shops, p_now);
  UPDATE growth_state SET evaluated_to = greatest(coalesce(evaluated_to, p_now), p_now);
END
$$;
