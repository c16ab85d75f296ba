-- Staff with finance correct a shop's money: p_amount between the shop's
-- account and a platform account (credit: to the shop; debit: from it),
-- with a reason. Up to p_approval_over it posts at once (event
-- adjustment:<id>); above, it waits for a second staff member
-- (adjustment_decide). Returns 'ok' with the adjustment; 'not_found' (no
-- such shop); 'insufficient_funds' (a debit the shop's account cannot
-- cover: nothing is written). Every step is in the audit trail.
CREATE OR REPLACE FUNCTION adjustment_create(p_staff bigint, p_shop bigint, p_account text,
                                             p_platform text, p_direction text, p_amount bigint,
                                             p_reason text, p_approval_over bigint,
                                             p_now timestamptz)
RETURNS TABLE (result text, adjustment funds_adjustments) LANGUAGE plpgsql AS $$
DECLARE
  v_id bigint;
  v_result text;
BEGIN
  PERFORM 1 FROM shops WHERE id = p_shop;
  IF NOT FOUND THEN
    result := 'not_found';
    RETURN NEXT;
    RETURN;
  END IF;
  INSERT INTO funds_adjustments (shop_id, account, platform_account, direction, amount_cents,
                                 reason, status, created_by, created_at, decided_at)
  VALUES (p_shop, p_account, p_platform, p_direction, p_amount, p_reason,
          CASE WHEN p_amount > p_approval_over THEN 'pending_approval' ELSE 'posted' END, p_staff,
          p_now, CASE WHEN p_amount > p_approval_over THEN NULL ELSE p_now END)
  RETURNING * INTO adjustment;
  v_id := adjustment.id;
  INSERT INTO funds_audit (at, actor_id, action, object, object_id, shop_id, detail)
  VALUES (p_now, p_staff, 'adjustment_requested', 'adjustment', v_id, p_shop,
          jsonb_build_object('account', p_account, 'platform_account', p_platform, 'direction',
                             p_direction, 'amount_cents', p_amount, 'reason', p_reason));
  IF p_amount <= p_approval_over THEN
    v_result := adjustment_post(v_id, p_now);
    IF v_result <> 'ok' THEN
      -- Undoes the insertions above: the block's exception handler below
      -- rolls them back and answers the refusal.
      RAISE EXCEPTION USING ERRCODE = 'P0001', MESSAGE = v_result;
    END IF;
  END IF;
  result := 'ok';
  RETURN NEXT;
EXCEPTION WHEN SQLSTATE 'P0001' THEN
  IF SQLERRM = 'insufficient_funds' THEN
    result := 'insufficient_funds';
    adjustment := NULL;
    RETURN NEXT;
  ELSE
    RAISE;
  END IF;
END
$$;
