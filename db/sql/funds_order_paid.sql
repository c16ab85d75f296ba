-- Money follows the order: a paid order's money enters its shop's pending,
-- from the payment provider's clearing (event order:<id>:paid), in the
-- transaction that marks it paid (order_pay, which holds the order's
-- lock, so a second call waits and then finds the order's funds). Coupons
-- are the shop's, so the paid total is what the shop is owed. The accounts
-- are posted before order_funds is written, whose trigger takes the
-- shop_funds row: ledger accounts before shop_funds on every path
-- (docs/funds.md, Locks). Returns 'ok', 'duplicate' (posted already) or
-- 'invalid_state' (the order is not paid).
CREATE OR REPLACE FUNCTION funds_order_paid(p_order bigint, p_now timestamptz) RETURNS text
LANGUAGE plpgsql AS $$
DECLARE
  o        orders%ROWTYPE;
  v_result text;
BEGIN
  SELECT * INTO o FROM orders WHERE id = p_order;
  IF NOT FOUND OR o.status <> 'paid' THEN
    RETURN 'invalid_state';
  END IF;
  PERFORM 1 FROM order_funds WHERE order_id = p_order;
  IF FOUND THEN
    RETURN 'duplicate';
  END IF;
  v_result := ledger_post('order:' || o.id || ':paid', 'order', o.id,
                          ARRAY[ledger_account(o.shop_id, 'provider_clearing')],
                          ARRAY[ledger_account(o.shop_id, 'pending')], ARRAY[o.paid_cents],
                          ARRAY['payment'], p_now);
  IF v_result <> 'ok' THEN
    RAISE EXCEPTION 'funds_order_paid %: the payment could not post: %', p_order, v_result;
  END IF;
  INSERT INTO order_funds (order_id, shop_id, state, paid_cents, pending_cents, paid_at)
  VALUES (o.id, o.shop_id, 'pending', o.paid_cents, o.paid_cents, o.paid_at);
  RETURN 'ok';
END
$$;
