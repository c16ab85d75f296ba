-- Brings the growth of shops with recent activity up to date (the job
-- evaluate_growth, every minute; docs/growth.md "Progress"): the shops
-- that since five minutes before the last evaluation put a product on
-- sale or changed one, shipped an order, made a coupon, had a campaign
-- entry approved, pushed a live coupon, changed their auto-reply or
-- (when a reply-rate task is active) had customer-service rounds today or
-- yesterday; every shop when a task or medal changed or on the first
-- run. The five minutes cover writes whose transaction took time to
-- commit. For each such shop it records the progress of the active tasks
-- it has not done (a done task stays done), then awards every medal whose
-- active tasks are all done (a retired task no longer stands in the way):
-- the primary key of growth_shop_medals makes that
-- once per shop and medal even when two evaluations run together (the
-- second waits for the first's row and skips it), and only the insert
-- that made the row writes the letter. Returns how many shops were looked
-- at and how many medals were awarded.
CREATE OR REPLACE FUNCTION growth_evaluate(p_now timestamptz, OUT shops integer, OUT medals integer)
LANGUAGE plpgsql AS $$
DECLARE
  v_since timestamptz;
  v_shops bigint[];
BEGIN
  SELECT evaluated_to - interval '5 minutes' INTO v_since FROM growth_state;
  IF v_since IS NULL
     OR EXISTS (SELECT 1 FROM growth_tasks WHERE updated_at > v_since)
     OR EXISTS (SELECT 1 FROM growth_medals WHERE updated_at > v_since) THEN
    v_shops := ARRAY(SELECT s.id FROM shops s ORDER BY s.id);
  ELSE
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
         WHERE s.grain = 'd' AND s.cs_rounds > 0
           AND s.at >= stats_day_start((p_now AT TIME ZONE platform_zone())::date - 1)
           AND EXISTS (SELECT 1 FROM growth_tasks t
                        WHERE t.active AND t.condition_kind = 'reply_rate_3min')) a
      ORDER BY 1);
  END IF;
  shops := cardinality(v_shops);

  INSERT INTO growth_shop_tasks AS g (shop_id, task_id, progress, done_at, updated_at)
  SELECT s.id, t.id, least(p.v, t.target), CASE WHEN p.v >= t.target THEN p_now END, p_now
    FROM unnest(v_shops) AS s (id)
   CROSS JOIN growth_tasks t
    LEFT JOIN growth_shop_tasks e ON e.shop_id = s.id AND e.task_id = t.id
   CROSS JOIN LATERAL (SELECT growth_progress(s.id, t, p_now) AS v) p
   WHERE t.active AND e.done_at IS NULL AND (p.v > 0 OR e.shop_id IS NOT NULL)
   ORDER BY s.id, t.id
  ON CONFLICT (shop_id, task_id) DO UPDATE
     SET progress = excluded.progress, done_at = excluded.done_at, updated_at = excluded.updated_at
   WHERE g.done_at IS NULL
     AND (g.progress, g.done_at) IS DISTINCT FROM (excluded.progress, excluded.done_at);

  WITH awarded AS (
    INSERT INTO growth_shop_medals (shop_id, medal_id, earned_at)
    SELECT s.id, m.id, p_now
      FROM unnest(v_shops) AS s (id) CROSS JOIN growth_medals m
     WHERE m.active
       AND EXISTS (SELECT 1 FROM growth_medal_tasks mt
                     JOIN growth_tasks t ON t.id = mt.task_id AND t.active
                    WHERE mt.medal_id = m.id)
       AND NOT EXISTS (SELECT 1 FROM growth_medal_tasks mt
                         JOIN growth_tasks t ON t.id = mt.task_id AND t.active
                         LEFT JOIN growth_shop_tasks g ON g.shop_id = s.id AND g.task_id = mt.task_id
                        WHERE mt.medal_id = m.id AND g.done_at IS NULL)
       AND NOT EXISTS (SELECT 1 FROM growth_shop_medals h WHERE h.shop_id = s.id AND h.medal_id = m.id)
     ORDER BY s.id, m.id
    ON CONFLICT (shop_id, medal_id) DO NOTHING
    RETURNING shop_id, medal_id)
  INSERT INTO letters (shop_id, kind, title, summary, body, order_count, delivered_at, medal_id)
  SELECT a.shop_id, 'medal', '勋章获得通知', format('恭喜获得「%s」', m.name),
         format('恭喜您的店铺获得「%s」。%s 可在勋章馆查看已获得的勋章及其经营特权。',
                m.name, m.description),
         0, p_now, m.id
    FROM awarded a JOIN growth_medals m ON m.id = a.medal_id;
  GET DIAGNOSTICS medals = ROW_COUNT;

  UPDATE growth_state SET evaluated_to = greatest(evaluated_to, p_now);
  UPDATE growth_state SET evaluated_to = p_now WHERE evaluated_to IS NULL;
END
$$;
