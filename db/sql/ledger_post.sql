-- The one posting primitive. Posts the legs of one business event (leg i
-- moves p_amounts[i] from p_debits[i] to p_credits[i], a transfer of kind
-- p_kinds[i]) and changes every balance they touch, all in the caller's
-- transaction. Legs of amount 0 are left out; the others are numbered from
-- 1 in the order given, and each row keeps both balances as they are right
-- after it.
--
-- Returns 'ok'; 'duplicate' when the event key has posted already (nothing
-- is posted again: retries, jobs and replays of one event post once); or
-- 'insufficient_funds' when a leg would take an account below what its
-- kind allows (ledger_balance_ok, counting what is held), and then nothing
-- is posted. Malformed legs (not 1 to 16, an unknown account, an account
-- on both sides, a negative amount) are a caller's bug and raise.
--
-- The accounts are locked in id order before anything is read, so the
-- balances computed here are the rows' until commit, and a racing post of
-- the same key is seen once its transaction has committed (each statement
-- reads anew); the unique (event_key, leg) stays the last word. The CHECKs
-- of ledger_accounts hold the same rules as ledger_balance_ok for any
-- writer.
CREATE OR REPLACE FUNCTION ledger_post(p_event_key text, p_cause text, p_cause_id bigint,
                                       p_debits bigint[], p_credits bigint[], p_amounts bigint[],
                                       p_kinds text[], p_now timestamptz)
RETURNS text LANGUAGE plpgsql AS $$
DECLARE
  v_n      integer := coalesce(cardinality(p_amounts), 0);
  v_ids    bigint[];  -- the accounts of the legs, in id order
  v_kinds  text[];
  v_bal    bigint[];  -- their balances, as each leg leaves them
  v_held   bigint[];
  v_legs   integer[] := '{}';  -- the legs that move money
  v_dafter bigint[] := '{}';
  v_cafter bigint[] := '{}';
  d        integer;
  c        integer;
BEGIN
  IF v_n NOT BETWEEN 1 AND 16 OR cardinality(p_debits) IS DISTINCT FROM v_n
     OR cardinality(p_credits) IS DISTINCT FROM v_n OR cardinality(p_kinds) IS DISTINCT FROM v_n THEN
    RAISE EXCEPTION 'ledger_post %: need 1 to 16 legs, each a debit, credit, amount and kind',
      p_event_key USING ERRCODE = 'invalid_parameter_value';
  END IF;
  SELECT array_agg(a.id ORDER BY a.id), array_agg(a.kind ORDER BY a.id),
         array_agg(a.balance ORDER BY a.id), array_agg(a.held ORDER BY a.id)
    INTO v_ids, v_kinds, v_bal, v_held
    FROM (SELECT id, kind, balance, held FROM ledger_accounts
           WHERE id = ANY (p_debits || p_credits) ORDER BY id FOR NO KEY UPDATE) a;
  PERFORM 1 FROM ledger_transfers WHERE event_key = p_event_key AND leg = 1;
  IF FOUND THEN
    RETURN 'duplicate';
  END IF;
  FOR i IN 1 .. v_n LOOP
    d := array_position(v_ids, p_debits[i]);
    c := array_position(v_ids, p_credits[i]);
    IF d IS NULL OR c IS NULL OR d = c OR p_amounts[i] IS NULL OR p_amounts[i] < 0 THEN
      RAISE EXCEPTION 'ledger_post %: leg % (% to %, %) is not a transfer', p_event_key, i,
        p_debits[i], p_credits[i], p_amounts[i] USING ERRCODE = 'invalid_parameter_value';
    END IF;
    CONTINUE WHEN p_amounts[i] = 0;
    v_bal[d] := v_bal[d] - p_amounts[i];
    v_bal[c] := v_bal[c] + p_amounts[i];
    IF NOT ledger_balance_ok(v_kinds[d], v_bal[d], v_held[d])
       OR NOT ledger_balance_ok(v_kinds[c], v_bal[c], v_held[c]) THEN
      RETURN 'insufficient_funds';
    END IF;
    v_legs := v_legs || i;
    v_dafter := v_dafter || v_bal[d];
    v_cafter := v_cafter || v_bal[c];
  END LOOP;
  IF cardinality(v_legs) = 0 THEN
    RETURN 'ok';
  END IF;
  -- One statement writes the transfers and the balances. The rows are
  -- locked since they were read: these are their balances.
  WITH t AS (
    INSERT INTO ledger_transfers (event_key, leg, debit_account_id, credit_account_id, amount_cents,
                                  kind, cause, cause_id, debit_balance_after, credit_balance_after,
                                  created_at)
    SELECT p_event_key, l.n, p_debits[l.i], p_credits[l.i], p_amounts[l.i], p_kinds[l.i], p_cause,
           p_cause_id, l.dafter, l.cafter, p_now
      FROM unnest(v_legs, v_dafter, v_cafter) WITH ORDINALITY AS l (i, dafter, cafter, n))
  UPDATE ledger_accounts a SET balance = b.balance
    FROM unnest(v_ids, v_bal) AS b (id, balance)
   WHERE a.id = b.id AND a.balance <> b.balance;
  RETURN 'ok';
END
$$;
