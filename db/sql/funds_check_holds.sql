-- Reconciliation: a hold (a withdrawal in flight) is resolved at most
-- once. A posted hold has exactly one transfer, its own (hold:<id>:post),
-- for its amount; a held or voided one has none. A row per hold where that
-- fails.
CREATE OR REPLACE FUNCTION funds_check_holds(OUT subject text, OUT detail text)
RETURNS SETOF record STABLE LANGUAGE sql AS $$
  SELECT 'hold ' || h.id,
         h.status || ' with ' || coalesce(t.n, 0) || ' transfers of '
         || coalesce(t.amount, 0) || ' (hold of ' || h.amount_cents || ')'
    FROM ledger_holds h
    LEFT JOIN LATERAL (SELECT count(*) AS n, sum(x.amount_cents) AS amount, min(x.id) AS first_id
                         FROM ledger_transfers x
                        WHERE x.event_key = 'hold:' || h.id || ':post') t ON true
   WHERE (h.status = 'posted' AND (t.n <> 1 OR t.amount <> h.amount_cents
                                   OR t.first_id IS DISTINCT FROM h.transfer_id))
      OR (h.status <> 'posted' AND t.n <> 0)
   ORDER BY h.id
$$;
