-- Ends a hold: the merchant must ship. The UPDATE renews the order's
-- change_seq, so the ERP feed (which leaves held orders out) gets it now.
CREATE OR REPLACE FUNCTION review_release(p_reviewer bigint, p_order bigint, p_note text, p_now timestamptz)
RETURNS text LANGUAGE plpgsql AS $$
DECLARE
  o orders%ROWTYPE;
BEGIN
  SELECT * INTO o FROM orders WHERE id = p_order FOR UPDATE;
  IF NOT FOUND THEN
    RETURN 'not_found';
  ELSIF o.review_status IS DISTINCT FROM 'under_review' THEN
    RETURN 'invalid_state';
  END IF;
  UPDATE orders SET review_status = 'released' WHERE id = p_order;
  INSERT INTO review_actions (order_id, shop_id, action, actor_id, note, deadline, created_at)
  VALUES (p_order, o.shop_id, 'release', p_reviewer, p_note, o.review_deadline, p_now);
  RETURN 'ok';
END
$$;
