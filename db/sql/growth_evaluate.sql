-- Evaluates the shops with recent activity (the job evaluate_growth, every
-- minute; docs/growth.md "Progress"): those that since five minutes
-- before the last evaluation put a product on sale or changed one,
-- shipped an order, made a coupon, had a campaign entry approved, pushed a
-- live coupon or changed their auto-reply (all their tasks), and those
-- with customer-service rounds today or yesterday (their reply-rate tasks
-- only). Each is an index range scan; the five minutes cover writes
-- whose transaction took time to commit. Before the first evaluation
-- there is no such window: the sweep (growth_sweep) takes every shop
-- then. Returns how many shops were looked at and how many medals were
-- awarded (growth_award_medals).
CREATE OR REPLACE FUNCTION growth_evaluate(p_now timestamptz, OUT shops integer, OUT medals integer)
LANGUAGE plpgsql AS $$
DECLARE
  v_since timestamptz;
  v_shops bigint[];
  v_rate bigint[];
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
      SELECT a.shop_id FROM auto_replies a WHERE a.updated_at > v_since) a
    ORDER BY 1);
  -- The reply rate moves with every round folded: the shops with rounds
  -- today or yesterday, for the reply-rate tasks alone, and only while one
  -- is active and not done by the shop.
  v_rate := ARRAY(
    SELECT DISTINCT s.shop_id FROM stats_shop s
     WHERE v_since IS NOT NULL AND s.grain = 'd' AND s.cs_rounds > 0
       AND s.at >= stats_day_start((p_now AT TIME ZONE platform_zone())::date - 1)
       AND s.shop_id <> ALL (v_shops)
       AND EXISTS (SELECT 1 FROM growth_tasks t
                    WHERE t.active AND t.condition_kind = 'reply_rate_3min'
                      AND NOT EXISTS (SELECT 1 FROM growth_shop_tasks g
                                       WHERE g.shop_id = s.shop_id AND g.task_id = t.id
                                         AND g.done_at IS NOT NULL))
     ORDER BY 1);
  shops := cardinality(v_shops) + cardinality(v_rate);
  PERFORM growth_evaluate_shops(v_shops, p_now);
  PERFORM growth_evaluate_shops(v_rate, p_now, 'reply_rate_3min');
  -- Between two changes of tasks and medals (each followed by a sweep), a
  -- medal comes within reach only when a task is done: the medals of the
  -- shops that finished one in the window, this run's included. The window
  -- covers two evaluations racing, each unaware of the task the other did.
  medals := growth_award_medals(ARRAY(SELECT DISTINCT g.shop_id FROM growth_shop_tasks g
                                       WHERE g.done_at > v_since ORDER BY 1), p_now);
  UPDATE growth_state SET evaluated_to = greatest(coalesce(evaluated_to, p_now), p_now);
END
$$;
