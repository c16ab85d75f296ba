-- The second phase, success: the held money leaves its account as one
-- transfer of kind p_kind to p_credit (a withdrawal paid out: to the
-- platform's payout clearing), under the event key hold:<id>:post and the
-- hold's cause. Returns 'ok'; 'duplicate' when the hold was posted already;
-- 'invalid_state' when it was voided; 'not_found'. The money was reserved,
-- so the transfer cannot be refused: if it is, an invariant is broken and
-- this raises.
CREATE OR REPLACE FUNCTION ledger_hold_post(p_hold bigint, p_credit bigint, p_kind text,
                                            p_now timestamptz)
RETURNS text LANGUAGE plpgsql AS $$
DECLARE
  h        ledger_holds%ROWTYPE;
  v_key    text := 'hold:' || p_hold || ':post';
  v_result text;
BEGIN
  SELECT * INTO h FROM ledger_holds WHERE id = p_hold FOR UPDATE;
  IF NOT FOUND THEN
    RETURN 'not_found';
  ELSIF h.status = 'posted' THEN
    RETURN 'duplicate';
  ELSIF h.status <> 'held' THEN
    RETURN 'invalid_state';
  END IF;
  PERFORM ledger_lock(ARRAY[h.account_id, p_credit]);
  -- Released first: the transfer then spends what the hold kept for it.
  UPDATE ledger_accounts SET held = held - h.amount_cents WHERE id = h.account_id;
  v_result := ledger_post(v_key, h.cause, h.cause_id, ARRAY[h.account_id], ARRAY[p_credit],
                          ARRAY[h.amount_cents], ARRAY[p_kind], p_now);
  IF v_result <> 'ok' THEN
    RAISE EXCEPTION 'ledger_hold_post %: the transfer of the held money was refused: %', p_hold,
      v_result;
  END IF;
  UPDATE ledger_holds
     SET status = 'posted', resolved_at = p_now,
         transfer_id = (SELECT t.id FROM ledger_transfers t WHERE t.event_key = v_key AND t.leg = 1)
   WHERE id = p_hold;
  RETURN 'ok';
END
$$;
