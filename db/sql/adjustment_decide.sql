-- A second staff member approves (it posts) or rejects (with a reason) an
-- adjustment waiting for approval. Returns 'ok' with the
-- adjustment; 'not_found';
-- 'invalid_state' (decided already); 'four_eyes_required' (the staff
-- member who asked for it cannot decide it); 'insufficient_funds' (a debit
-- the shop cannot cover now: it stays waiting).
CREATE OR REPLACE FUNCTION adjustment_decide(p_staff bigint, p_adjustment bigint, p_approve boolean,
                                             p_reason text, p_now timestamptz)
RETURNS TABLE (result text, adjustment funds_adjustments) LANGUAGE plpgsql AS $$
DECLARE
  a funds_adjustments%ROWTYPE;
  v_result text;
BEGIN
  SELECT * INTO a FROM funds_adjustments WHERE id = p_adjustment FOR UPDATE;
  IF NOT FOUND THEN
    result := 'not_found';
  ELSIF a.status <> 'pending_approval' THEN
    result := 'invalid_state';
  ELSIF a.created_by = p_staff THEN
    result := 'four_eyes_required';
  END IF;
  IF result IS NOT NULL THEN
    RETURN NEXT;
    RETURN;
  END IF;
  IF p_approve THEN
    v_result := adjustment_post(a.id, p_now);
    IF v_result <> 'ok' THEN
      result := v_result;
      RETURN NEXT;
      RETURN;
    END IF;
  END IF;
  UPDATE funds_adjustments
     SET status = CASE WHEN p_approve THEN 'posted' ELSE 'rejected' END, decided_by = p_staff,
         decided_at = p_now, decision_reason = p_reason
   WHERE id = a.id
  RETURNING * INTO adjustment;
  INSERT INTO funds_audit (at, actor_id, action, object, object_id, shop_id, detail)
  VALUES (p_now, p_staff, CASE WHEN p_approve THEN 'adjustment_approved' ELSE 'adjustment_rejected' END,
          'adjustment', a.id, a.shop_id, jsonb_strip_nulls(jsonb_build_object('reason', p_reason)));
  result := 'ok';
  RETURN NEXT;
END
$$;
