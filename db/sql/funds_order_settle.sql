-- Settles a completed order, once: its pending money moves to available
-- (settlement), then the service fee goes from available to the
-- platform's fee revenue (funds_fee at the shop's rate), then what the
-- shop owes the platform (debt) is paid off first from what is left, all
-- as one event, order:<id>:settled. An order with an after-sales request
-- open waits instead (state awaiting_after_sale, 'after_sale_open'): the
-- request's resolution calls this again.
--
-- Called in the transaction that completes the order (order_confirm_receipt,
-- orders_autocomplete) and in those that close an after-sales request
-- (after_sale_approve, _reject, _reship), each holding the order's lock.
-- Returns 'ok'; 'duplicate' (settled already); 'invalid_state' (not
-- completed, or refunded in full); 'after_sale_open'; 'not_found' (no
-- money of it in the ledger: unpaid, or paid before the ledger and done).
CREATE OR REPLACE FUNCTION funds_order_settle(p_order bigint, p_now timestamptz) RETURNS text
LANGUAGE plpgsql AS $$
DECLARE
  f           order_funds%ROWTYPE;
  o           orders%ROWTYPE;
  v_bps       integer;
  v_fee       bigint;
  v_repay     bigint;
  v_pending   bigint;
  v_available bigint;
  v_debt      bigint;
  v_revenue   bigint;
  v_result    text;
BEGIN
  SELECT * INTO f FROM order_funds WHERE order_id = p_order FOR UPDATE;
  IF NOT FOUND THEN
    RETURN 'not_found';
  ELSIF f.state = 'settled' THEN
    RETURN 'duplicate';
  ELSIF f.state = 'refunded' THEN
    RETURN 'invalid_state';
  END IF;
  SELECT * INTO o FROM orders WHERE id = p_order;
  IF o.status <> 'completed' THEN
    RETURN 'invalid_state';
  ELSIF o.after_sales_open THEN
    UPDATE order_funds SET state = 'awaiting_after_sale'
     WHERE order_id = p_order AND state = 'pending';
    RETURN 'after_sale_open';
  END IF;

  SELECT s.fee_bps INTO v_bps FROM shop_funds s WHERE s.shop_id = f.shop_id;
  v_fee := funds_fee(f.pending_cents, v_bps);
  v_pending := ledger_account(f.shop_id, 'pending');
  v_available := ledger_account(f.shop_id, 'available');
  v_debt := ledger_account(f.shop_id, 'debt');
  v_revenue := ledger_account(f.shop_id, 'fee_revenue');
  PERFORM ledger_lock(ARRAY[v_pending, v_available, v_debt, v_revenue]);
  SELECT least(f.pending_cents - v_fee, -a.balance) INTO v_repay
    FROM ledger_accounts a WHERE a.id = v_debt;
  v_result := ledger_post('order:' || p_order || ':settled', 'order', p_order,
                          ARRAY[v_pending, v_available, v_available],
                          ARRAY[v_available, v_revenue, v_debt],
                          ARRAY[f.pending_cents, v_fee, v_repay],
                          ARRAY['settlement', 'service_fee', 'debt_repayment'], p_now);
  IF v_result <> 'ok' THEN
    RAISE EXCEPTION 'funds_order_settle %: the settlement could not post: %', p_order, v_result;
  END IF;
  UPDATE order_funds
     SET state = 'settled', pending_cents = 0, settled_cents = f.pending_cents, fee_bps = v_bps,
         fee_cents = v_fee, settled_at = p_now
   WHERE order_id = p_order;
  RETURN 'ok';
END
$$;
