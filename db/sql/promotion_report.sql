-- The promotion report (推广日报/周报) of a shop of the merchant, or of one
-- plan of it (p_plan), per day or per week (p_week: Monday to Sunday) of
-- MERCHANTD_TZ from p_from to p_to (C has checked and completed them; a
-- weekly report runs from the Monday of p_from's week to the Sunday of
-- p_to's). Impressions, charged clicks and spend come from the plans' day
-- rows (promotion_plan_days): impressions as the rollup worker has folded
-- them from the log (complete to as_of, the fold's, stats_fold_state;
-- null before the first fold), clicks and spend as each click's own
-- transaction counts them (exact when read); attributed orders and GMV from
-- promotion_attributions by the order's day, GMV being what the attributed
-- orders have paid (an unpaid order counts as an order with 0 GMV).
-- Rates (ctr, click_conversion, roi) are numbers rounded half up to four
-- decimals, cpc and cpm integer fen rounded half up; each is null when its
-- denominator is 0. Returns ('not_found', NULL) when the shop is not the
-- merchant's or the plan not the shop's; else ('ok', body): the report's
-- JSON, or with p_csv an array of rows of CSV cells (money in yuan with two
-- decimals, rates as percentages with two decimals, an undefined one empty).
CREATE OR REPLACE FUNCTION promotion_report(p_merchant bigint, p_shop bigint, p_plan bigint,
                                            p_week boolean, p_from date, p_to date,
                                            p_now timestamptz, p_csv boolean,
                                            OUT code text, OUT body jsonb)
LANGUAGE plpgsql STABLE AS $$
DECLARE
  v_from date := CASE WHEN p_week THEN date_trunc('week', p_from)::date ELSE p_from END;
  v_to   date := CASE WHEN p_week THEN date_trunc('week', p_to)::date + 6 ELSE p_to END;
  v_step interval := CASE WHEN p_week THEN interval '7 days' ELSE interval '1 day' END;
BEGIN
  PERFORM 1 FROM shops s WHERE s.id = p_shop AND s.merchant_id = p_merchant;
  IF NOT FOUND THEN
    code := 'not_found';
    RETURN;
  END IF;
  IF p_plan IS NOT NULL THEN
    PERFORM 1 FROM promotion_plans pl WHERE pl.id = p_plan AND pl.shop_id = p_shop;
    IF NOT FOUND THEN
      code := 'not_found';
      RETURN;
    END IF;
  END IF;
  code := 'ok';
  WITH plans AS (
    SELECT pl.id FROM promotion_plans pl
     WHERE pl.shop_id = p_shop AND (p_plan IS NULL OR pl.id = p_plan)
  ), served AS (
    SELECT CASE WHEN p_week THEN date_trunc('week', d.day)::date ELSE d.day END AS p,
           sum(d.impressions) AS impressions, sum(d.clicks) AS clicks, sum(d.spend_cents) AS spend
      FROM plans JOIN promotion_plan_days d ON d.plan_id = plans.id
     WHERE d.day BETWEEN v_from AND v_to
     GROUP BY 1
  ), sold AS (
    SELECT CASE WHEN p_week THEN date_trunc('week', a.day)::date ELSE a.day END AS p,
           count(*) AS orders, sum(o.paid_cents) AS gmv
      FROM plans
      CROSS JOIN LATERAL (
        SELECT x.order_id, (x.created_at AT TIME ZONE platform_zone())::date AS day
          FROM promotion_attributions x
         WHERE x.plan_id = plans.id
           AND x.created_at >= v_from::timestamp AT TIME ZONE platform_zone()
           AND x.created_at < (v_to + 1)::timestamp AT TIME ZONE platform_zone()) a
      JOIN orders o ON o.id = a.order_id
     GROUP BY 1
  ), grid AS (
    SELECT g::date AS p, coalesce(sv.impressions, 0)::bigint AS impressions,
           coalesce(sv.clicks, 0)::bigint AS clicks, coalesce(sv.spend, 0)::bigint AS spend,
           coalesce(so.orders, 0)::bigint AS orders, coalesce(so.gmv, 0)::bigint AS gmv
      FROM generate_series(v_from::timestamp, v_to::timestamp, v_step) g
      LEFT JOIN served sv ON sv.p = g::date
      LEFT JOIN sold so ON so.p = g::date
  ), rows AS (
    SELECT 0 AS k, p, (p + CASE WHEN p_week THEN 6 ELSE 0 END) AS e, impressions, clicks, spend,
           orders, gmv FROM grid
    UNION ALL
    SELECT 1, v_from, v_to, sum(impressions)::bigint, sum(clicks)::bigint, sum(spend)::bigint,
           sum(orders)::bigint, sum(gmv)::bigint FROM grid
  ), figures AS (
    SELECT r.*,
           round(r.clicks::numeric / nullif(r.impressions, 0), 4) AS ctr,
           round(r.spend::numeric / nullif(r.clicks, 0)) AS cpc,
           round(r.spend::numeric * 1000 / nullif(r.impressions, 0)) AS cpm,
           round(r.orders::numeric / nullif(r.clicks, 0), 4) AS conv,
           round(r.gmv::numeric / nullif(r.spend, 0), 4) AS roi
      FROM rows r
  )
  SELECT CASE WHEN p_csv THEN
           (SELECT coalesce(jsonb_agg(jsonb_build_array(
                      CASE WHEN f.k = 1 THEN '合计' ELSE f.p::text END, f.e::text,
                      f.impressions::text, f.clicks::text,
                      coalesce(to_char(f.ctr * 100, 'FM999999990.00'), ''),
                      to_char(f.spend / 100.0, 'FM999999999990.00'),
                      coalesce(to_char(f.cpc / 100.0, 'FM999999999990.00'), ''),
                      coalesce(to_char(f.cpm / 100.0, 'FM999999999990.00'), ''),
                      f.orders::text, to_char(f.gmv / 100.0, 'FM999999999990.00'),
                      coalesce(to_char(f.conv * 100, 'FM999999990.00'), ''),
                      coalesce(to_char(f.roi, 'FM999999990.0000'), ''))
                      ORDER BY f.k, f.p), '[]'::jsonb) FROM figures f)
         ELSE jsonb_build_object(
           'period', CASE WHEN p_week THEN 'week' ELSE 'day' END,
           'from', v_from::text, 'to', v_to::text,
           'plan_id', p_plan,
           'as_of', (SELECT to_char(f.as_of AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"')
                       FROM stats_fold_state f),
           'rows', (SELECT coalesce(jsonb_agg(jsonb_build_object(
                      'from', f.p::text, 'to', f.e::text, 'impressions', f.impressions,
                      'clicks', f.clicks, 'ctr', f.ctr, 'spend_cents', f.spend, 'cpc_cents', f.cpc,
                      'cpm_cents', f.cpm, 'attributed_orders', f.orders, 'gmv_cents', f.gmv,
                      'click_conversion', f.conv, 'roi', f.roi) ORDER BY f.p), '[]'::jsonb)
                      FROM figures f WHERE f.k = 0),
           'total', (SELECT jsonb_build_object(
                      'impressions', f.impressions, 'clicks', f.clicks, 'ctr', f.ctr,
                      'spend_cents', f.spend, 'cpc_cents', f.cpc, 'cpm_cents', f.cpm,
                      'attributed_orders', f.orders, 'gmv_cents', f.gmv,
                      'click_conversion', f.conv, 'roi', f.roi)
                      FROM figures f WHERE f.k = 1))
         END INTO body;
END
$$;
