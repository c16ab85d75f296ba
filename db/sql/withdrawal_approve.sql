-- Staff with finance approve a withdrawal over the approval threshold; the
-- payout job then submits it. Returns 'ok' with the withdrawal; 'not_found' (none awaiting
-- approval by that id); 'invalid_state' (decided already, or no longer
-- requested).
CREATE OR REPLACE FUNCTION withdrawal_approve(p_staff bigint, p_withdrawal bigint, p_now timestamptz)
RETURNS TABLE (result text, withdrawal withdrawals) LANGUAGE plpgsql AS $$
DECLARE
  w withdrawals%ROWTYPE;
BEGIN
  SELECT * INTO w FROM withdrawals WHERE id = p_withdrawal FOR UPDATE;
  IF NOT FOUND OR w.approval = 'none' THEN
    result := 'not_found';
    RETURN NEXT;
    RETURN;
  ELSIF w.approval <> 'pending' OR w.status <> 'requested' THEN
    result := 'invalid_state';
    RETURN NEXT;
    RETURN;
  END IF;
  UPDATE withdrawals SET approval = 'approved', decided_by = p_staff, decided_at = p_now
   WHERE id = w.id
  RETURNING * INTO withdrawal;
  INSERT INTO funds_audit (at, actor_id, action, object, object_id, shop_id, detail)
  VALUES (p_now, p_staff, 'withdrawal_approved', 'withdrawal', w.id, w.shop_id,
          jsonb_build_object('amount_cents', w.amount_cents));
  result := 'ok';
  RETURN NEXT;
END
$$;
