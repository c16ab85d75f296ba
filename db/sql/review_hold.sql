-- Holds a paid order that is not shipped: it cannot ship until released.
-- The deadline is the group's formation plus 24 hours, the platform's
-- promise to the merchant. A released order may be held again while it is
-- still paid (new evidence can come up); its deadline stays grouped_at +
-- 24 h, so a hold placed after that is released by the next run of the
-- auto-release job unless a reviewer extends it.
CREATE OR REPLACE FUNCTION review_hold(p_reviewer bigint, p_order bigint, p_reason text, p_note text,
                            p_now timestamptz) RETURNS text LANGUAGE plpgsql AS $$
DECLARE
  o orders%ROWTYPE;
  v_deadline timestamptz;
BEGIN
  SELECT * INTO o FROM orders WHERE id = p_order FOR UPDATE;
  IF NOT FOUND THEN
    RETURN 'not_found';
  ELSIF o.review_status = 'under_review' THEN
    RETURN 'already_under_review';
  ELSIF o.status <> 'paid' THEN
    RETURN 'invalid_state';
  END IF;
  v_deadline := coalesce(o.grouped_at, o.paid_at) + interval '24 hours';
  UPDATE orders SET review_status = 'under_review', review_reason = p_reason,
                    review_deadline = v_deadline
   WHERE id = p_order;
  INSERT INTO review_actions (order_id, shop_id, action, actor_id, reason, note, deadline, created_at)
  VALUES (p_order, o.shop_id, 'hold', p_reviewer, p_reason, p_note, v_deadline, p_now);
  RETURN 'ok';
END
$$;
