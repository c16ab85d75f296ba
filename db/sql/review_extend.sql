-- Gives a held order more time (special categories need longer checks).
-- The action records the new deadline; the auto-release job follows it.
CREATE OR REPLACE FUNCTION review_extend(p_reviewer bigint, p_order bigint, p_hours integer, p_note text,
                              p_now timestamptz) RETURNS text LANGUAGE plpgsql AS $$
DECLARE
  o orders%ROWTYPE;
  v_deadline timestamptz;
BEGIN
  IF p_hours NOT BETWEEN 1 AND 168 THEN
    RAISE EXCEPTION 'extension of % hours is out of range', p_hours
      USING ERRCODE = 'invalid_parameter_value';
  END IF;
  SELECT * INTO o FROM orders WHERE id = p_order FOR UPDATE;
  IF NOT FOUND THEN
    RETURN 'not_found';
  ELSIF o.review_status IS DISTINCT FROM 'under_review' THEN
    RETURN 'invalid_state';
  END IF;
  v_deadline := o.review_deadline + p_hours * interval '1 hour';
  UPDATE orders SET review_deadline = v_deadline WHERE id = p_order;
  INSERT INTO review_actions (order_id, shop_id, action, actor_id, note, deadline, created_at)
  VALUES (p_order, o.shop_id, 'extend', p_reviewer, p_note, v_deadline, p_now);
  RETURN 'ok';
END
$$;
