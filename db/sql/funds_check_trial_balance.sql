-- Reconciliation (merchantd funds check, the funds_check job): every
-- transfer takes from one account what it gives another, so all balances
-- together are zero. A row when they are not.
CREATE OR REPLACE FUNCTION funds_check_trial_balance(OUT subject text, OUT detail text)
RETURNS SETOF record STABLE LANGUAGE sql AS $$
  SELECT 'ledger', 'balances of all accounts sum to ' || s.total || ', not 0'
    FROM (SELECT coalesce(sum(balance), 0) AS total FROM ledger_accounts) s
   WHERE s.total <> 0
$$;
