-- Reconciliation: a shop's pending balance is the money of its orders not
-- settled (order_funds.pending_cents), and the counters of shop_funds are
-- what its order_funds rows count, which GET .../funds explains the
-- balances with. A row per shop where either differs.
CREATE OR REPLACE FUNCTION funds_check_pending(OUT subject text, OUT detail text)
RETURNS SETOF record STABLE LANGUAGE sql AS $$
  WITH orders AS (
    SELECT shop_id, coalesce(sum(pending_cents), 0) AS pending,
           count(*) FILTER (WHERE state IN ('pending', 'awaiting_after_sale')) AS n,
           count(*) FILTER (WHERE state = 'awaiting_after_sale') AS waiting,
           coalesce(sum(pending_cents) FILTER (WHERE state = 'awaiting_after_sale'), 0) AS waiting_cents
      FROM order_funds GROUP BY shop_id
  )
  SELECT 'shop ' || s.shop_id,
         CASE WHEN p.balance <> coalesce(o.pending, 0)
              THEN 'pending balance ' || p.balance || ', its orders'' pending money '
                   || coalesce(o.pending, 0)
              ELSE 'counters (' || s.pending_orders || ', ' || s.after_sale_orders || ', '
                   || s.after_sale_cents || '), its orders count (' || coalesce(o.n, 0) || ', '
                   || coalesce(o.waiting, 0) || ', ' || coalesce(o.waiting_cents, 0) || ')'
         END
    FROM shop_funds s
    JOIN ledger_accounts p ON p.shop_id = s.shop_id AND p.kind = 'pending'
    LEFT JOIN orders o ON o.shop_id = s.shop_id
   WHERE p.balance <> coalesce(o.pending, 0)
      OR (s.pending_orders, s.after_sale_orders, s.after_sale_cents)
         <> (coalesce(o.n, 0), coalesce(o.waiting, 0), coalesce(o.waiting_cents, 0))
   ORDER BY s.shop_id
$$;
