-- Reconciliation: every account's stored balance is its credits less its
-- debits, and its last transfer's running balance is that balance too. A
-- row per account where either differs.
CREATE OR REPLACE FUNCTION funds_check_balances(OUT subject text, OUT detail text)
RETURNS SETOF record STABLE LANGUAGE sql AS $$
  WITH sides AS (
    SELECT credit_account_id AS account_id, id, amount_cents AS delta,
           credit_balance_after AS after
      FROM ledger_transfers
    UNION ALL
    SELECT debit_account_id, id, -amount_cents, debit_balance_after FROM ledger_transfers
  ), sums AS (
    SELECT account_id, sum(delta) AS total, (array_agg(after ORDER BY id DESC))[1] AS last_after
      FROM sides GROUP BY account_id
  )
  SELECT 'account ' || a.id || ' (' || coalesce('shop ' || a.shop_id || ' ', 'platform ') || a.kind
         || ')',
         CASE WHEN a.balance <> coalesce(s.total, 0)
              THEN 'stored balance ' || a.balance || ', transfers sum to ' || coalesce(s.total, 0)
              ELSE 'stored balance ' || a.balance || ', last transfer left it at ' || s.last_after
         END
    FROM ledger_accounts a LEFT JOIN sums s ON s.account_id = a.id
   WHERE a.balance <> coalesce(s.total, 0) OR a.balance <> coalesce(s.last_after, 0)
   ORDER BY a.id
$$;
