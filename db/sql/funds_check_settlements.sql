-- Reconciliation: an order settled once. Its funds row says settled exactly
-- when its settlement event (order:<id>:settled) posted, and that event's
-- settlement leg moved the settled amount; an order's settlement legs
-- belong to that one event. A row per order where any of it fails.
CREATE OR REPLACE FUNCTION funds_check_settlements(OUT subject text, OUT detail text)
RETURNS SETOF record STABLE LANGUAGE sql AS $$
  WITH legs AS (
    SELECT cause_id AS order_id, count(*) AS n, sum(amount_cents) AS amount,
           bool_and(event_key = 'order:' || cause_id || ':settled') AS own_key
      FROM ledger_transfers
     WHERE kind = 'settlement' AND cause = 'order'
     GROUP BY cause_id
  )
  SELECT 'order ' || coalesce(f.order_id, l.order_id),
         CASE WHEN f.order_id IS NULL THEN 'settled without a funds row'
              WHEN f.state = 'settled' AND l.n IS NULL THEN 'settled, but no settlement posted'
              WHEN f.state <> 'settled' THEN 'state ' || f.state || ', but ' || l.n
                                             || ' settlement transfers posted'
              WHEN l.n <> 1 OR NOT l.own_key THEN l.n || ' settlement transfers, not once'
              ELSE 'settled ' || f.settled_cents || ', the settlement moved ' || l.amount
         END
    FROM order_funds f FULL JOIN legs l ON l.order_id = f.order_id
   WHERE f.order_id IS NULL
      OR (f.state = 'settled') <> (l.order_id IS NOT NULL)
      OR (l.order_id IS NOT NULL AND (l.n <> 1 OR NOT l.own_key OR l.amount <> f.settled_cents))
   ORDER BY 1
$$;
