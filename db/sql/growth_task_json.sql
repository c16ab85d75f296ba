-- A growth task as the staff routes answer it; the condition with the
-- parameters of its kind only.
CREATE OR REPLACE FUNCTION growth_task_json(t growth_tasks) RETURNS jsonb STABLE LANGUAGE sql AS $$
  SELECT jsonb_build_object(
    'id', t.id, 'key', t.key, 'title', t.title, 'description', t.description,
    'group', t.task_group, 'position', t.position,
    'condition', jsonb_strip_nulls(jsonb_build_object(
      'kind', t.condition_kind, 'count', t.condition_count, 'hours', t.condition_hours,
      'percent', t.condition_percent, 'days', t.condition_days)),
    'target', t.target, 'active', t.active,
    'created_at', to_char(t.created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"'),
    'updated_at', to_char(t.updated_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"'))
$$;
