-- The second phase, failure: the hold ends without a transfer and its
-- money can be spent again. Returns 'ok'; 'duplicate' when it was voided
-- already; 'invalid_state' when it was posted; 'not_found'.
CREATE OR REPLACE FUNCTION ledger_hold_void(p_hold bigint, p_now timestamptz)
RETURNS text LANGUAGE plpgsql AS $$
DECLARE
  h ledger_holds%ROWTYPE;
BEGIN
  SELECT * INTO h FROM ledger_holds WHERE id = p_hold FOR UPDATE;
  IF NOT FOUND THEN
    RETURN 'not_found';
  ELSIF h.status = 'voided' THEN
    RETURN 'duplicate';
  ELSIF h.status <> 'held' THEN
    RETURN 'invalid_state';
  END IF;
  UPDATE ledger_accounts SET held = held - h.amount_cents WHERE id = h.account_id;
  UPDATE ledger_holds SET status = 'voided', resolved_at = p_now WHERE id = p_hold;
  RETURN 'ok';
END
$$;
