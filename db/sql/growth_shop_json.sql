-- The shop's growth page: every active task (of p_group, NULL: all) with
-- the shop's progress as the last evaluation found it, starter tasks
-- first (the onboarding checklist), then marketing, service, fulfilment,
-- each by position; and per group how many are done. NULL when the
-- merchant has no such shop.
CREATE OR REPLACE FUNCTION growth_shop_json(p_merchant bigint, p_shop bigint, p_group text)
RETURNS jsonb STABLE LANGUAGE sql AS $$
  WITH tasks AS (
    SELECT t.*, coalesce(g.progress, 0) AS progress, g.done_at,
           array_position(ARRAY['starter', 'marketing', 'service', 'fulfilment'], t.task_group)
             AS group_order
      FROM growth_tasks t
      LEFT JOIN growth_shop_tasks g ON g.shop_id = p_shop AND g.task_id = t.id
     WHERE t.active AND (p_group IS NULL OR t.task_group = p_group))
  SELECT jsonb_build_object(
    'shop_id', s.id,
    'groups', (SELECT coalesce(jsonb_agg(jsonb_build_object('group', x.task_group, 'done', x.done,
                                                            'total', x.total) ORDER BY x.o), '[]')
                 FROM (SELECT task_group, min(group_order) AS o, count(done_at) AS done,
                              count(*) AS total
                         FROM tasks GROUP BY task_group) x),
    'items', (SELECT coalesce(jsonb_agg(jsonb_build_object(
                       'task_id', t.id, 'key', t.key, 'title', t.title,
                       'description', t.description, 'group', t.task_group,
                       'condition', jsonb_strip_nulls(jsonb_build_object(
                         'kind', t.condition_kind, 'count', t.condition_count,
                         'hours', t.condition_hours, 'percent', t.condition_percent,
                         'days', t.condition_days)),
                       'progress', t.progress, 'target', t.target, 'done', t.done_at IS NOT NULL,
                       'done_at', to_char(t.done_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"'))
                     ORDER BY t.group_order, t.position, t.id), '[]')
                FROM tasks t))
    FROM shops s WHERE s.id = p_shop AND s.merchant_id = p_merchant
$$;
