-- The payout job's steps, each in its own transaction, each at most once:
--   'submitted' (requested and not awaiting approval: taken out of the
--               merchant's reach before the provider is called, so a
--               cancel can no longer race a payout on its way; then, once
--               the provider took it, again with its reference p_ref),
--   'succeeded' (submitted: the hold posts to the platform's payout
--               clearing, kind withdrawal),
--   'failed'    (requested or submitted: the hold is voided, p_reason kept),
--   'returned'  (succeeded: the bank sent it back; a new transfer, event
--               withdrawal:<id>:returned, puts it back in available).
-- Returns 'ok', or 'invalid_state' when the withdrawal is not where the
-- step starts (another instance took it, or a cancel won): the job moves
-- on. The audit trail records each step, by the system (no actor).
CREATE OR REPLACE FUNCTION withdrawal_advance(p_withdrawal bigint, p_to text, p_provider text,
                                              p_ref text, p_reason text, p_now timestamptz)
RETURNS text LANGUAGE plpgsql AS $$
DECLARE
  w withdrawals%ROWTYPE;
  v_result text;
BEGIN
  SELECT * INTO w FROM withdrawals WHERE id = p_withdrawal FOR UPDATE;
  IF NOT FOUND THEN
    RETURN 'not_found';
  END IF;
  IF p_to = 'submitted' AND w.status = 'requested' AND w.approval IN ('none', 'approved') THEN
    UPDATE withdrawals SET status = 'submitted', provider = p_provider, provider_ref = p_ref,
                           submitted_at = p_now
     WHERE id = w.id;
  ELSIF p_to = 'submitted' AND w.status = 'submitted' AND w.provider_ref IS NULL
        AND p_ref IS NOT NULL AND p_provider = w.provider THEN
    UPDATE withdrawals SET provider_ref = p_ref WHERE id = w.id;
    RETURN 'ok';  -- the same step, completed: no second audit row
  ELSIF p_to = 'succeeded' AND w.status = 'submitted' THEN
    v_result := ledger_hold_post(w.hold_id, ledger_account(w.shop_id, 'payout_clearing'),
                                 'withdrawal', p_now);
    IF v_result <> 'ok' THEN
      RAISE EXCEPTION 'withdrawal_advance %: its hold could not post: %', w.id, v_result;
    END IF;
    UPDATE withdrawals SET status = 'succeeded', resolved_at = p_now WHERE id = w.id;
  ELSIF p_to = 'failed' AND w.status IN ('requested', 'submitted')
        AND w.approval IN ('none', 'approved') THEN
    v_result := ledger_hold_void(w.hold_id, p_now);
    IF v_result <> 'ok' THEN
      RAISE EXCEPTION 'withdrawal_advance %: its hold could not be voided: %', w.id, v_result;
    END IF;
    UPDATE withdrawals SET status = 'failed', resolved_at = p_now, reason = p_reason WHERE id = w.id;
  ELSIF p_to = 'returned' AND w.status = 'succeeded' THEN
    v_result := ledger_post('withdrawal:' || w.id || ':returned', 'withdrawal', w.id,
                            ARRAY[ledger_account(w.shop_id, 'payout_clearing')],
                            ARRAY[ledger_account(w.shop_id, 'available')], ARRAY[w.amount_cents],
                            ARRAY['withdrawal_returned'], p_now);
    IF v_result <> 'ok' THEN
      RAISE EXCEPTION 'withdrawal_advance %: the return could not post: %', w.id, v_result;
    END IF;
    UPDATE withdrawals SET status = 'returned', returned_at = p_now, reason = p_reason
     WHERE id = w.id;
  ELSE
    RETURN 'invalid_state';
  END IF;
  INSERT INTO funds_audit (at, actor_id, action, object, object_id, shop_id, detail)
  VALUES (p_now, NULL, 'withdrawal_' || p_to, 'withdrawal', w.id, w.shop_id,
          jsonb_strip_nulls(jsonb_build_object('amount_cents', w.amount_cents, 'provider_ref',
                                               coalesce(p_ref, w.provider_ref), 'reason', p_reason)));
  RETURN 'ok';
END
$$;
