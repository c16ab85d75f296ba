-- Locks ledger accounts in id order, the one order every posting takes
-- them in (ledger_post does it for its legs), so two postings never wait
-- for each other's accounts. A caller that reads balances to choose its
-- legs (a clawback, a settlement paying debt off) locks every account it
-- will touch with this first. NO KEY UPDATE: the balances change, never the
-- key, so transfers and holds referencing the account are not blocked.
CREATE OR REPLACE FUNCTION ledger_lock(p_accounts bigint[]) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
  PERFORM 1 FROM ledger_accounts WHERE id = ANY (p_accounts) ORDER BY id FOR NO KEY UPDATE;
END
$$;
