-- The shop's medal hall (勋章馆): the medals it holds, with when, and the
-- active ones it does not hold yet, each with its tasks (done or not, the
-- progress) and the keys of those still missing. Earned first, newest
-- first, then the others by id. A retired task is no longer one of a
-- medal's tasks. NULL when the merchant has no such shop.
CREATE OR REPLACE FUNCTION growth_shop_medals_json(p_merchant bigint, p_shop bigint)
RETURNS jsonb STABLE LANGUAGE sql AS $$
  SELECT jsonb_build_object('shop_id', s.id, 'items', (
    SELECT coalesce(jsonb_agg(jsonb_build_object(
             'medal_id', m.id, 'key', m.key, 'name', m.name, 'description', m.description,
             'privileges', jsonb_build_object('quick_replies', m.bonus_quick_replies,
                                              'coupon_batch_products', m.bonus_coupon_batch,
                                              'campaign_products', m.bonus_campaign_products),
             'earned', h.earned_at IS NOT NULL,
             'earned_at', to_char(h.earned_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"'),
             'tasks', k.tasks, 'missing', k.missing)
             ORDER BY h.earned_at DESC NULLS LAST, m.id), '[]')
      FROM growth_medals m
      LEFT JOIN growth_shop_medals h ON h.shop_id = s.id AND h.medal_id = m.id
     CROSS JOIN LATERAL (
       SELECT coalesce(jsonb_agg(jsonb_build_object(
                'task_id', t.id, 'key', t.key, 'title', t.title, 'done', g.done_at IS NOT NULL,
                'progress', coalesce(g.progress, 0), 'target', t.target) ORDER BY t.id), '[]')
                AS tasks,
              coalesce(jsonb_agg(t.key ORDER BY t.id) FILTER (WHERE g.done_at IS NULL), '[]')
                AS missing
         FROM growth_medal_tasks mt JOIN growth_tasks t ON t.id = mt.task_id AND t.active
         LEFT JOIN growth_shop_tasks g ON g.shop_id = s.id AND g.task_id = t.id
        WHERE mt.medal_id = m.id) k
     WHERE m.active OR h.earned_at IS NOT NULL))
    FROM shops s WHERE s.id = p_shop AND s.merchant_id = p_merchant
$$;
