-- Reconciliation: every transfer's running balances are its accounts'
-- balances right after it (the sum of the account's transfers up to it, in
-- posting order), which the flows and statements show without summing. A
-- row per account whose running balances go wrong, naming the first
-- transfer where they do.
CREATE OR REPLACE FUNCTION funds_check_running_balances(OUT subject text, OUT detail text)
RETURNS SETOF record STABLE LANGUAGE sql AS $$
  WITH sides AS (
    SELECT credit_account_id AS account_id, id, amount_cents AS delta,
           credit_balance_after AS after
      FROM ledger_transfers
    UNION ALL
    SELECT debit_account_id, id, -amount_cents, debit_balance_after FROM ledger_transfers
  ), running AS (
    SELECT account_id, id, after, sum(delta) OVER (PARTITION BY account_id ORDER BY id) AS total
      FROM sides
  )
  SELECT DISTINCT ON (r.account_id)
         'account ' || r.account_id || ' (' || coalesce('shop ' || a.shop_id || ' ', 'platform ')
         || a.kind || ')',
         'transfer ' || r.id || ' says the balance after it is ' || r.after
         || ', its transfers sum to ' || r.total || ' there'
    FROM running r JOIN ledger_accounts a ON a.id = r.account_id
   WHERE r.after <> r.total
   ORDER BY r.account_id, r.id
$$;
