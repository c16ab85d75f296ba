-- Creates a task (p_id NULL) or changes the fields p_body names (checked by
-- the handler: types, ranges, the condition's parameters for its kind;
-- missing parameters take their defaults here). A condition given replaces
-- the whole condition; progress already recorded stays, and the next
-- evaluation (every shop, since a task changed) brings it to the new one.
-- 'key_taken' when another task has the key; 'not_found' for no such task.
CREATE OR REPLACE FUNCTION growth_task_save(p_id bigint, p_body jsonb, p_staff bigint,
                                            p_now timestamptz)
RETURNS TABLE (result text, body jsonb) LANGUAGE plpgsql AS $$
DECLARE
  t growth_tasks;
  c jsonb := p_body -> 'condition';
BEGIN
  IF p_id IS NOT NULL THEN
    SELECT * INTO t FROM growth_tasks WHERE id = p_id FOR UPDATE;
    IF NOT FOUND THEN
      RETURN QUERY SELECT 'not_found', NULL::jsonb;
      RETURN;
    END IF;
  END IF;
  IF EXISTS (SELECT 1 FROM growth_tasks WHERE key = p_body ->> 'key'
                AND id IS DISTINCT FROM p_id) THEN
    RETURN QUERY SELECT 'key_taken', NULL::jsonb;
    RETURN;
  END IF;
  t.key := coalesce(p_body ->> 'key', t.key);
  t.title := coalesce(p_body ->> 'title', t.title);
  t.description := coalesce(p_body ->> 'description', t.description, '');
  t.task_group := coalesce(p_body ->> 'group', t.task_group);
  t.position := coalesce((p_body ->> 'position')::integer, t.position, 0);
  t.active := coalesce((p_body ->> 'active')::boolean, t.active, true);
  IF c IS NOT NULL THEN
    t.condition_kind := c ->> 'kind';
    t.condition_count := CASE WHEN t.condition_kind IN ('auto_reply_configured', 'reply_rate_3min')
                              THEN NULL ELSE coalesce((c ->> 'count')::integer, 1) END;
    t.condition_hours := CASE WHEN t.condition_kind = 'order_shipped_fast'
                              THEN coalesce((c ->> 'hours')::integer, 48) END;
    t.condition_percent := CASE WHEN t.condition_kind = 'reply_rate_3min'
                                THEN (c ->> 'percent')::integer END;
    t.condition_days := CASE WHEN t.condition_kind = 'reply_rate_3min'
                             THEN coalesce((c ->> 'days')::integer, 7) END;
  END IF;
  IF p_id IS NULL THEN
    INSERT INTO growth_tasks (key, title, description, task_group, position, condition_kind,
                              condition_count, condition_hours, condition_percent,
                              condition_days, active, created_by, created_at, updated_at)
    VALUES (t.key, t.title, t.description, t.task_group, t.position, t.condition_kind,
            t.condition_count, t.condition_hours, t.condition_percent, t.condition_days,
            t.active, p_staff, p_now, p_now)
    ON CONFLICT (key) DO NOTHING
    RETURNING * INTO t;
  ELSE
    BEGIN
      UPDATE growth_tasks SET key = t.key, title = t.title, description = t.description,
             task_group = t.task_group, position = t.position, condition_kind = t.condition_kind,
             condition_count = t.condition_count, condition_hours = t.condition_hours,
             condition_percent = t.condition_percent, condition_days = t.condition_days,
             active = t.active, updated_at = p_now
       WHERE id = p_id RETURNING * INTO t;
    EXCEPTION WHEN unique_violation THEN -- a concurrent create or change took the key
      RETURN QUERY SELECT 'key_taken', NULL::jsonb;
      RETURN;
    END;
  END IF;
  IF t.id IS NULL THEN -- a concurrent create took the key
    RETURN QUERY SELECT 'key_taken', NULL::jsonb;
    RETURN;
  END IF;
  -- Every shop is evaluated again (growth_sweep).
  UPDATE growth_state SET definitions_version = definitions_version + 1;
  RETURN QUERY SELECT 'ok', growth_task_json(t);
END
$$;
