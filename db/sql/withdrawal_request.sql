-- A merchant asks to withdraw p_amount of their shop's available money to
-- the shop's bank account. The amount is held (ledger_hold, event
-- withdrawal:<id>:hold) until the payout succeeds or fails.
--
-- Returns 'ok' with the withdrawal (the row: the caller's statement does
-- not see this function's writes); 'not_found' (no such shop of the
-- merchant); 'below_minimum'; 'bank_account_required'; 'withdrawal_open'
-- (one is in flight already); 'withdrawal_limit' (p_daily_limit asked for
-- since p_day_start); 'insufficient_funds' (available less what is held).
-- Nothing is written unless 'ok'.
--
-- The shop's available account is locked first: concurrent requests of a
-- shop queue there, and each reads the counts and the balance its
-- predecessor committed (each statement reads anew). The partial unique
-- index withdrawals_one_open stays the last word on "one open".
CREATE OR REPLACE FUNCTION withdrawal_request(p_merchant bigint, p_shop bigint, p_amount bigint,
                                              p_minimum bigint, p_daily_limit integer,
                                              p_approval_over bigint, p_day_start timestamptz,
                                              p_now timestamptz)
RETURNS TABLE (result text, withdrawal withdrawals) LANGUAGE plpgsql AS $$
DECLARE
  v_available bigint;
  b shop_bank_accounts%ROWTYPE;
  v_hold   record;
  v_id     bigint;
BEGIN
  PERFORM 1 FROM shops WHERE id = p_shop AND merchant_id = p_merchant;
  IF NOT FOUND THEN
    result := 'not_found';
    RETURN NEXT;
    RETURN;
  END IF;
  IF p_amount < p_minimum THEN
    result := 'below_minimum';
    RETURN NEXT;
    RETURN;
  END IF;
  SELECT * INTO b FROM shop_bank_accounts WHERE shop_id = p_shop;
  IF NOT FOUND THEN
    result := 'bank_account_required';
    RETURN NEXT;
    RETURN;
  END IF;
  v_available := ledger_account(p_shop, 'available');
  PERFORM ledger_lock(ARRAY[v_available]);
  IF EXISTS (SELECT 1 FROM withdrawals WHERE shop_id = p_shop AND status IN ('requested', 'submitted')) THEN
    result := 'withdrawal_open';
  ELSIF (SELECT count(*) FROM withdrawals WHERE shop_id = p_shop AND requested_at >= p_day_start)
        >= p_daily_limit THEN
    result := 'withdrawal_limit';
  ELSIF NOT (SELECT ledger_balance_ok(a.kind, a.balance, a.held + p_amount)
               FROM ledger_accounts a WHERE a.id = v_available) THEN
    result := 'insufficient_funds';
  END IF;
  IF result IS NOT NULL THEN
    RETURN NEXT;
    RETURN;
  END IF;
  -- The hold names the withdrawal, and the withdrawal its hold: the id is
  -- drawn first.
  v_id := nextval(pg_get_serial_sequence('withdrawals', 'id'));
  SELECT * INTO v_hold FROM ledger_hold('withdrawal:' || v_id || ':hold', v_available, p_amount,
                                        'withdrawal', v_id, p_now);
  IF v_hold.result <> 'ok' THEN
    RAISE EXCEPTION 'withdrawal_request %: the hold was refused under lock: %', v_id, v_hold.result;
  END IF;
  INSERT INTO withdrawals (id, shop_id, amount_cents, status, approval, hold_id, holder, bank,
                           account_key, account_nonce, account_box, account_last4, requested_at)
  OVERRIDING SYSTEM VALUE
  VALUES (v_id, p_shop, p_amount, 'requested',
          CASE WHEN p_amount > p_approval_over THEN 'pending' ELSE 'none' END, v_hold.hold_id,
          b.holder, b.bank, b.account_key, b.account_nonce, b.account_box, b.account_last4, p_now)
  RETURNING * INTO withdrawal;
  result := 'ok';
  RETURN NEXT;
END
$$;
