-- Posts an adjustment's transfer (event adjustment:<id>, kind adjustment)
-- and records it in the audit trail. Returns 'ok' or 'insufficient_funds'
-- (a debit the shop's account does not cover, counting what is held); a
-- second post of the same adjustment posts nothing ('ok': the key).
CREATE OR REPLACE FUNCTION adjustment_post(p_adjustment bigint, p_now timestamptz)
RETURNS text LANGUAGE plpgsql AS $$
DECLARE
  a funds_adjustments%ROWTYPE;
  v_shop bigint;
  v_platform bigint;
  v_result text;
BEGIN
  SELECT * INTO a FROM funds_adjustments WHERE id = p_adjustment;
  v_shop := ledger_account(a.shop_id, a.account);
  v_platform := ledger_account(a.shop_id, a.platform_account);
  v_result := ledger_post('adjustment:' || a.id, 'adjustment', a.id,
                          ARRAY[CASE WHEN a.direction = 'credit' THEN v_platform ELSE v_shop END],
                          ARRAY[CASE WHEN a.direction = 'credit' THEN v_shop ELSE v_platform END],
                          ARRAY[a.amount_cents], ARRAY['adjustment'], p_now);
  IF v_result = 'insufficient_funds' THEN
    RETURN v_result;
  END IF;
  INSERT INTO funds_audit (at, actor_id, action, object, object_id, shop_id, detail)
  VALUES (p_now, NULL, 'adjustment_posted', 'adjustment', a.id, a.shop_id,
          jsonb_build_object('amount_cents', a.amount_cents, 'direction', a.direction));
  RETURN 'ok';
END
$$;
