-- Ends a withdrawal that has not gone to the provider: canceled by its
-- merchant (p_staff NULL) or rejected by staff (approval pending, p_staff
-- the decider, p_reason why), its hold voided, the step in the audit
-- trail. Returns 'ok' with the withdrawal; 'not_found' (no such withdrawal of the merchant's
-- shop, or none awaiting approval for staff); 'invalid_state' (no longer
-- requested).
CREATE OR REPLACE FUNCTION withdrawal_cancel(p_merchant bigint, p_shop bigint, p_withdrawal bigint,
                                             p_staff bigint, p_reason text, p_now timestamptz)
RETURNS TABLE (result text, withdrawal withdrawals) LANGUAGE plpgsql AS $$
DECLARE
  w withdrawals%ROWTYPE;
BEGIN
  SELECT wd.* INTO w FROM withdrawals wd JOIN shops s ON s.id = wd.shop_id
   WHERE wd.id = p_withdrawal
     AND (p_staff IS NOT NULL OR (wd.shop_id = p_shop AND s.merchant_id = p_merchant))
     FOR UPDATE OF wd;
  IF NOT FOUND OR (p_staff IS NOT NULL AND w.approval = 'none') THEN
    result := 'not_found';
    RETURN NEXT;
    RETURN;
  ELSIF w.status <> 'requested' OR (p_staff IS NOT NULL AND w.approval <> 'pending') THEN
    result := 'invalid_state';
    RETURN NEXT;
    RETURN;
  END IF;
  IF ledger_hold_void(w.hold_id, p_now) NOT IN ('ok', 'duplicate') THEN
    RAISE EXCEPTION 'withdrawal_cancel %: its hold could not be voided', w.id;
  END IF;
  UPDATE withdrawals
     SET status = 'canceled', resolved_at = p_now, reason = p_reason,
         approval = CASE WHEN p_staff IS NULL THEN approval ELSE 'rejected' END,
         decided_by = coalesce(p_staff, decided_by),
         decided_at = CASE WHEN p_staff IS NULL THEN decided_at ELSE p_now END
   WHERE id = w.id
  RETURNING * INTO withdrawal;
  INSERT INTO funds_audit (at, actor_id, action, object, object_id, shop_id, detail)
  VALUES (p_now, coalesce(p_staff, p_merchant),
          CASE WHEN p_staff IS NULL THEN 'withdrawal_canceled' ELSE 'withdrawal_rejected' END,
          'withdrawal', w.id, w.shop_id,
          jsonb_build_object('amount_cents', w.amount_cents, 'reason', p_reason));
  result := 'ok';
  RETURN NEXT;
END
$$;
