-- Whether an account of this kind may hold this balance with this much of
-- it held: the rule the CHECKs of ledger_accounts enforce (0025_funds.sql),
-- asked before a change so that a posting or a hold is refused with
-- 'insufficient_funds' instead of failing on the constraint, which stays
-- the guard whatever writes the row.
CREATE OR REPLACE FUNCTION ledger_balance_ok(p_kind text, p_balance bigint, p_held bigint)
RETURNS boolean IMMUTABLE PARALLEL SAFE LANGUAGE sql AS $$
  SELECT CASE
           WHEN p_kind IN ('available', 'deposit', 'promotion') THEN p_balance - p_held >= 0
           WHEN p_kind = 'pending' THEN p_balance >= 0
           WHEN p_kind = 'debt' THEN p_balance <= 0
           ELSE true
         END
$$;
