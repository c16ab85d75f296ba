-- A medal as the staff routes answer it: its tasks (id, key, title) and
-- the privileges it gives.
CREATE OR REPLACE FUNCTION growth_medal_json(m growth_medals) RETURNS jsonb STABLE LANGUAGE sql AS $$
  SELECT jsonb_build_object(
    'id', m.id, 'key', m.key, 'name', m.name, 'description', m.description,
    'tasks', (SELECT coalesce(jsonb_agg(jsonb_build_object('id', t.id, 'key', t.key,
                                                           'title', t.title) ORDER BY t.id), '[]')
                FROM growth_medal_tasks mt JOIN growth_tasks t ON t.id = mt.task_id
               WHERE mt.medal_id = m.id),
    'privileges', jsonb_build_object('quick_replies', m.bonus_quick_replies,
                                     'coupon_batch_products', m.bonus_coupon_batch,
                                     'campaign_products', m.bonus_campaign_products),
    'active', m.active,
    'created_at', to_char(m.created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"'),
    'updated_at', to_char(m.updated_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"'))
$$;
