-- A refund of an order goes back to the buyer through the provider's
-- clearing, as the event order:<id>:refund:<refund id> caused by the
-- after-sales request or the review close that made it, in the transaction
-- that records the refund (after_sale_approve, review_close, holding the
-- order's lock).
--
-- Before settlement it comes out of the order's pending money. After
-- settlement it is clawed back: the fee falls to funds_fee of what stays
-- settled (settled less everything clawed back), so the difference is
-- returned from fee revenue to available first; then the refund is taken
-- from available (less what is held for withdrawals), then from the
-- deposit, and the rest puts the shop in debt, which later settlements pay
-- off first. Returns 'ok'; 'invalid_state' (refunded in full already);
-- 'not_found' (the order's money is not in the ledger: paid before it, and
-- done).
CREATE OR REPLACE FUNCTION funds_order_refund(p_order bigint, p_refund bigint, p_amount bigint,
                                              p_cause text, p_cause_id bigint, p_now timestamptz)
RETURNS text LANGUAGE plpgsql AS $$
DECLARE
  f           order_funds%ROWTYPE;
  v_key       text := 'order:' || p_order || ':refund:' || p_refund;
  v_clearing  bigint;
  v_available bigint;
  v_deposit   bigint;
  v_debt      bigint;
  v_revenue   bigint;
  v_settled   bigint;  -- what stays settled before this refund
  v_fee_back  bigint;
  v_from_available bigint;
  v_from_deposit   bigint;
  v_result    text;
BEGIN
  SELECT * INTO f FROM order_funds WHERE order_id = p_order FOR UPDATE;
  IF NOT FOUND THEN
    RETURN 'not_found';
  ELSIF f.state = 'refunded' THEN
    RETURN 'invalid_state';
  END IF;
  v_clearing := ledger_account(f.shop_id, 'provider_clearing');
  v_available := ledger_account(f.shop_id, 'available');
  v_deposit := ledger_account(f.shop_id, 'deposit');
  v_debt := ledger_account(f.shop_id, 'debt');
  v_revenue := ledger_account(f.shop_id, 'fee_revenue');
  -- Every account this refund, or the settlement its caller may post next
  -- in the same transaction (after_sale_approve settles what is left), can
  -- touch, locked at once in id order: taking the settlement's later
  -- would take the platform's fee revenue (a low id) after the shop's
  -- pending, the reverse of a settlement's order, and the two would wait
  -- for each other.
  PERFORM ledger_lock(ARRAY[v_clearing, ledger_account(f.shop_id, 'pending'), v_available,
                            v_deposit, v_debt, v_revenue]);

  IF f.state <> 'settled' THEN
    v_result := ledger_post(v_key, p_cause, p_cause_id, ARRAY[ledger_account(f.shop_id, 'pending')],
                            ARRAY[v_clearing], ARRAY[p_amount], ARRAY['refund'], p_now);
    IF v_result <> 'ok' THEN
      RAISE EXCEPTION 'funds_order_refund %: the refund could not post: %', p_order, v_result;
    END IF;
    UPDATE order_funds
       SET pending_cents = pending_cents - p_amount,
           state = CASE WHEN pending_cents = p_amount THEN 'refunded' ELSE state END
     WHERE order_id = p_order;
    RETURN 'ok';
  END IF;

  v_settled := f.settled_cents - f.clawed_back_cents;
  v_fee_back := funds_fee(v_settled, f.fee_bps) - funds_fee(v_settled - p_amount, f.fee_bps);
  SELECT least(p_amount, a.balance - a.held + v_fee_back) INTO v_from_available
    FROM ledger_accounts a WHERE a.id = v_available;
  SELECT least(p_amount - v_from_available, a.balance - a.held) INTO v_from_deposit
    FROM ledger_accounts a WHERE a.id = v_deposit;
  v_result := ledger_post(v_key, p_cause, p_cause_id,
                          ARRAY[v_revenue, v_available, v_deposit, v_debt],
                          ARRAY[v_available, v_clearing, v_clearing, v_clearing],
                          ARRAY[v_fee_back, v_from_available, v_from_deposit,
                                p_amount - v_from_available - v_from_deposit],
                          ARRAY['fee_return', 'clawback', 'clawback', 'clawback'], p_now);
  IF v_result <> 'ok' THEN
    RAISE EXCEPTION 'funds_order_refund %: the clawback could not post: %', p_order, v_result;
  END IF;
  UPDATE order_funds
     SET clawed_back_cents = clawed_back_cents + p_amount,
         fee_returned_cents = fee_returned_cents + v_fee_back
   WHERE order_id = p_order;
  RETURN 'ok';
END
$$;
