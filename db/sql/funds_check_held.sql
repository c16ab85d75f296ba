-- Reconciliation: an account's held is what its open holds reserve. A row
-- per account where it is not.
CREATE OR REPLACE FUNCTION funds_check_held(OUT subject text, OUT detail text)
RETURNS SETOF record STABLE LANGUAGE sql AS $$
  SELECT 'account ' || a.id || ' (' || coalesce('shop ' || a.shop_id || ' ', 'platform ') || a.kind
         || ')',
         'held ' || a.held || ', open holds reserve ' || coalesce(h.total, 0)
    FROM ledger_accounts a
    LEFT JOIN (SELECT account_id, sum(amount_cents) AS total FROM ledger_holds
                WHERE status = 'held' GROUP BY account_id) h ON h.account_id = a.id
   WHERE a.held <> coalesce(h.total, 0)
   ORDER BY a.id
$$;
