-- Creates a medal (p_id NULL) or changes the fields p_body names (checked
-- by the handler). task_keys, when given, replaces the medal's tasks; a
-- key that names no task is 'invalid_field' with {"errors": [...]} naming
-- each (task_keys[i]). 'key_taken' when another medal has the key;
-- 'not_found' for no such medal. Shops that hold the medal keep it.
CREATE OR REPLACE FUNCTION growth_medal_save(p_id bigint, p_body jsonb, p_staff bigint,
                                             p_now timestamptz)
RETURNS TABLE (result text, body jsonb) LANGUAGE plpgsql AS $$
DECLARE
  m growth_medals;
  pr jsonb := coalesce(p_body -> 'privileges', '{}');
  v_errors jsonb;
BEGIN
  IF p_id IS NOT NULL THEN
    SELECT * INTO m FROM growth_medals WHERE id = p_id FOR UPDATE;
    IF NOT FOUND THEN
      RETURN QUERY SELECT 'not_found', NULL::jsonb;
      RETURN;
    END IF;
  END IF;
  IF EXISTS (SELECT 1 FROM growth_medals WHERE key = p_body ->> 'key'
                AND id IS DISTINCT FROM p_id) THEN
    RETURN QUERY SELECT 'key_taken', NULL::jsonb;
    RETURN;
  END IF;
  SELECT jsonb_agg(jsonb_build_object('field', format('task_keys[%s]', k.i - 1),
                                      'message', 'names no task') ORDER BY k.i)
    INTO v_errors
    FROM jsonb_array_elements_text(coalesce(p_body -> 'task_keys', '[]')) WITH ORDINALITY k (key, i)
   WHERE NOT EXISTS (SELECT 1 FROM growth_tasks t WHERE t.key = k.key);
  IF v_errors IS NOT NULL THEN
    RETURN QUERY SELECT 'invalid_field', jsonb_build_object('errors', v_errors);
    RETURN;
  END IF;
  m.key := coalesce(p_body ->> 'key', m.key);
  m.name := coalesce(p_body ->> 'name', m.name);
  m.description := coalesce(p_body ->> 'description', m.description, '');
  m.bonus_quick_replies := coalesce((pr ->> 'quick_replies')::integer, m.bonus_quick_replies, 0);
  m.bonus_coupon_batch := coalesce((pr ->> 'coupon_batch_products')::integer,
                                   m.bonus_coupon_batch, 0);
  m.bonus_campaign_products := coalesce((pr ->> 'campaign_products')::integer,
                                        m.bonus_campaign_products, 0);
  m.active := coalesce((p_body ->> 'active')::boolean, m.active, true);
  IF p_id IS NULL THEN
    INSERT INTO growth_medals (key, name, description, bonus_quick_replies, bonus_coupon_batch,
                               bonus_campaign_products, active, created_by, created_at, updated_at)
    VALUES (m.key, m.name, m.description, m.bonus_quick_replies, m.bonus_coupon_batch,
            m.bonus_campaign_products, m.active, p_staff, p_now, p_now)
    ON CONFLICT (key) DO NOTHING
    RETURNING * INTO m;
    IF m.id IS NULL THEN -- a concurrent create took the key
      RETURN QUERY SELECT 'key_taken', NULL::jsonb;
      RETURN;
    END IF;
  ELSE
    BEGIN
      UPDATE growth_medals SET key = m.key, name = m.name, description = m.description,
             bonus_quick_replies = m.bonus_quick_replies, bonus_coupon_batch = m.bonus_coupon_batch,
             bonus_campaign_products = m.bonus_campaign_products, active = m.active,
             updated_at = p_now
       WHERE id = p_id RETURNING * INTO m;
    EXCEPTION WHEN unique_violation THEN -- a concurrent create or change took the key
      RETURN QUERY SELECT 'key_taken', NULL::jsonb;
      RETURN;
    END;
  END IF;
  IF p_body ? 'task_keys' THEN
    DELETE FROM growth_medal_tasks WHERE medal_id = m.id;
    INSERT INTO growth_medal_tasks (medal_id, task_id)
    SELECT DISTINCT m.id, t.id FROM growth_tasks t
     WHERE t.key IN (SELECT jsonb_array_elements_text(p_body -> 'task_keys'));
  END IF;
  -- Every shop is evaluated again (growth_sweep).
  UPDATE growth_state SET definitions_version = definitions_version + 1;
  RETURN QUERY SELECT 'ok', growth_medal_json(m);
END
$$;
