-- The promotion report letters' job (docs/promotion.md "Report letters"):
-- at a delivery hour (06:00 to 22:00 in p_zone), yesterday's daily report
-- and last week's (Monday to Sunday) weekly report go to every shop with
-- promotion activity in the period (an impression or a charged click),
-- delivered_at the hour. A period is delivered once: the letters' unique
-- index (shop, kind, report_from) makes another instance's insert a no-op
-- (ON CONFLICT waits for the first transaction), and promotion_report_runs
-- records the period so later runs stop at one row. Returns the letters
-- written. The figures are those of promotion_report's rows. A period
-- waits until the rollup worker's as_of (stats_fold_state) has passed its
-- end, so that its impressions, which the fold counts, are complete; the
-- next run after that delivers it, delivered_at that run's hour.
CREATE OR REPLACE FUNCTION promotion_report_letters(p_now timestamptz, p_zone text)
RETURNS integer LANGUAGE plpgsql AS $$
DECLARE
  v_local timestamp := p_now AT TIME ZONE p_zone;
  v_at    timestamptz := date_trunc('hour', p_now AT TIME ZONE p_zone) AT TIME ZONE p_zone;
  v_kind  text;
  v_from  date;
  v_to    date;
  v_n     integer := 0;
  v_rows  integer;
BEGIN
  IF extract(hour FROM v_local) NOT BETWEEN 6 AND 22 THEN
    RETURN 0;
  END IF;
  FOREACH v_kind IN ARRAY ARRAY['promotion_daily', 'promotion_weekly'] LOOP
    IF v_kind = 'promotion_daily' THEN
      v_from := v_local::date - 1;
      v_to := v_from;
    ELSE
      v_from := date_trunc('week', v_local)::date - 7;
      v_to := v_from + 6;
    END IF;
    CONTINUE WHEN EXISTS (SELECT 1 FROM promotion_report_runs r
                           WHERE r.kind = v_kind AND r.report_from = v_from);
    -- The impressions are the fold's: not before it has passed the
    -- period's end (a later run, the same hour or the next, delivers).
    CONTINUE WHEN NOT EXISTS (SELECT 1 FROM stats_fold_state f
                               WHERE f.as_of >= (v_to + 1)::timestamp AT TIME ZONE p_zone);
    WITH served AS (
      SELECT pl.shop_id, sum(d.impressions)::bigint AS impressions, sum(d.clicks)::bigint AS clicks,
             sum(d.spend_cents)::bigint AS spend
        FROM promotion_plan_days d JOIN promotion_plans pl ON pl.id = d.plan_id
       WHERE d.day BETWEEN v_from AND v_to
       GROUP BY pl.shop_id
      HAVING sum(d.impressions) + sum(d.clicks) > 0
    ), sold AS (
      SELECT s.shop_id, count(a.order_id)::bigint AS orders,
             coalesce(sum(o.paid_cents), 0)::bigint AS gmv
        FROM served s
        LEFT JOIN promotion_attributions a ON a.shop_id = s.shop_id
             AND a.created_at >= v_from::timestamp AT TIME ZONE p_zone
             AND a.created_at < (v_to + 1)::timestamp AT TIME ZONE p_zone
        LEFT JOIN orders o ON o.id = a.order_id
       GROUP BY s.shop_id
    )
    INSERT INTO letters (shop_id, kind, title, summary, body, order_count, delivered_at,
                         report_from)
    SELECT s.shop_id, v_kind,
           CASE WHEN v_kind = 'promotion_daily' THEN '推广日报' ELSE '推广周报' END,
           CASE WHEN v_kind = 'promotion_daily'
                THEN format('%s 推广日报：曝光 %s，点击 %s，花费 %s 元', v_from, s.impressions,
                            s.clicks, to_char(s.spend / 100.0, 'FM999999999990.00'))
                ELSE format('%s 至 %s 推广周报：曝光 %s，点击 %s，花费 %s 元', v_from, v_to,
                            s.impressions, s.clicks, to_char(s.spend / 100.0, 'FM999999999990.00'))
           END,
           format('曝光 %s，点击 %s，花费 %s 元；推广成交 %s 笔，成交金额 %s 元；'
                  '投入产出比 %s。明细见推广报表。',
                  s.impressions, s.clicks, to_char(s.spend / 100.0, 'FM999999999990.00'),
                  so.orders, to_char(so.gmv / 100.0, 'FM999999999990.00'),
                  coalesce(to_char(round(so.gmv::numeric / nullif(s.spend, 0), 4),
                                   'FM999999990.0000'), '—')),
           0, v_at, v_from
      FROM served s JOIN sold so ON so.shop_id = s.shop_id
     ORDER BY s.shop_id
    ON CONFLICT (shop_id, kind, report_from) WHERE report_from IS NOT NULL DO NOTHING;
    GET DIAGNOSTICS v_rows = ROW_COUNT;
    v_n := v_n + v_rows;
    INSERT INTO promotion_report_runs (kind, report_from, done_at) VALUES (v_kind, v_from, p_now)
    ON CONFLICT DO NOTHING;
  END LOOP;
  RETURN v_n;
END
$$;
