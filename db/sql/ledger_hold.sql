-- The first phase of a two-phase transfer (a withdrawal): reserves
-- p_amount of an available, deposit or promotion account, which then can
-- be neither spent nor held again until ledger_hold_post or
-- ledger_hold_void resolves the hold. Returns 'ok' with the hold;
-- 'duplicate' with the hold the event key already made (a retry holds
-- once); or 'insufficient_funds' when the account's balance less what is
-- held already does not cover it. A hold on another kind of account, or of
-- an amount not above zero, is a caller's bug and raises.
CREATE OR REPLACE FUNCTION ledger_hold(p_event_key text, p_account bigint, p_amount bigint,
                                       p_cause text, p_cause_id bigint, p_now timestamptz)
RETURNS TABLE (result text, hold_id bigint) LANGUAGE plpgsql AS $$
DECLARE
  a ledger_accounts%ROWTYPE;
BEGIN
  SELECT * INTO a FROM ledger_accounts WHERE id = p_account FOR NO KEY UPDATE;
  IF NOT FOUND OR a.kind NOT IN ('available', 'deposit', 'promotion') OR p_amount IS NULL
     OR p_amount <= 0 THEN
    RAISE EXCEPTION 'ledger_hold %: cannot hold % on account %', p_event_key, p_amount, p_account
      USING ERRCODE = 'invalid_parameter_value';
  END IF;
  SELECT h.id INTO hold_id FROM ledger_holds h WHERE h.event_key = p_event_key;
  IF FOUND THEN
    result := 'duplicate';
  ELSIF NOT ledger_balance_ok(a.kind, a.balance, a.held + p_amount) THEN
    result := 'insufficient_funds';
  ELSE
    INSERT INTO ledger_holds (event_key, account_id, amount_cents, cause, cause_id, status, created_at)
    VALUES (p_event_key, p_account, p_amount, p_cause, p_cause_id, 'held', p_now)
    RETURNING id INTO hold_id;
    UPDATE ledger_accounts SET held = held + p_amount WHERE id = p_account;
    result := 'ok';
  END IF;
  RETURN NEXT;
END
$$;
