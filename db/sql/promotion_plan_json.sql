-- A plan as the API shows it: its settings, keywords (by word), whether it
-- serves at p_now and why not (promotion_plan_status), today's figures
-- (MERCHANTD_TZ) and its lifetime counts, attributed orders included.
CREATE OR REPLACE FUNCTION promotion_plan_json(p_plan promotion_plans, p_now timestamptz)
RETURNS text STABLE LANGUAGE sql AS $$
  SELECT jsonb_build_object(
    'id', p_plan.id, 'shop_id', p_plan.shop_id, 'product_id', p_plan.product_id,
    'name', p_plan.name, 'daily_budget_cents', p_plan.daily_budget_cents,
    'starts_at', to_char(p_plan.starts_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"'),
    'ends_at', to_char(p_plan.ends_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"'),
    'paused', p_plan.paused,
    'keywords', coalesce((SELECT jsonb_agg(jsonb_build_object('word', k.word, 'bid_cents', k.bid_cents)
                                           ORDER BY k.word)
                            FROM promotion_keywords k WHERE k.plan_id = p_plan.id), '[]'::jsonb),
    'status', s.status, 'serving', s.status = 'serving',
    'today', jsonb_build_object('impressions', coalesce(d.impressions, 0),
                                'clicks', coalesce(d.clicks, 0),
                                'spend_cents', coalesce(d.spend_cents, 0)),
    'impressions', p_plan.impressions, 'clicks', p_plan.clicks, 'spend_cents', p_plan.spend_cents,
    'attributed_orders', (SELECT count(*) FROM promotion_attributions a WHERE a.plan_id = p_plan.id),
    'created_at', to_char(p_plan.created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"'),
    'updated_at', to_char(p_plan.updated_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"'))::text
    FROM (SELECT promotion_plan_status(p_plan, p_now) AS status) s
    LEFT JOIN promotion_plan_days d
      ON d.plan_id = p_plan.id AND d.day = (p_now AT TIME ZONE platform_zone())::date
$$;
