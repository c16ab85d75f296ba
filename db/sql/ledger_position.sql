-- Where an account stood at a time: its last transfer posted before
-- p_before, by (created_at, id), and its balance right after that transfer
-- (the row's running balance of this account); 0 and 0 when it had none.
-- Statements and flows cut their time windows here and walk the ids
-- between two positions, so that opening balance + the rows in between =
-- closing balance holds exactly, whatever the window. Two index probes
-- (0027_funds_statement.sql), one row each. Declared as a one-row table
-- so that the planner inlines it into the flows and statement queries
-- (a function returning a record is planned again at every call).
CREATE OR REPLACE FUNCTION ledger_position(p_account bigint, p_before timestamptz)
RETURNS TABLE (transfer_id bigint, balance bigint)
STABLE PARALLEL SAFE ROWS 1 LANGUAGE sql AS $$
  SELECT coalesce(max(p.id), 0), coalesce(max(p.balance), 0)
    FROM (SELECT x.id, x.balance
            FROM ((SELECT t.id, t.created_at, t.debit_balance_after AS balance
                     FROM ledger_transfers t
                    WHERE t.debit_account_id = p_account AND t.created_at < p_before
                    ORDER BY t.created_at DESC, t.id DESC LIMIT 1)
                  UNION ALL
                  (SELECT t.id, t.created_at, t.credit_balance_after
                     FROM ledger_transfers t
                    WHERE t.credit_account_id = p_account AND t.created_at < p_before
                    ORDER BY t.created_at DESC, t.id DESC LIMIT 1)) x
           ORDER BY x.created_at DESC, x.id DESC LIMIT 1) p
$$;
