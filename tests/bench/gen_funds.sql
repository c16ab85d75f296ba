-- Funds data for tests/bench/funds.sh, generated in bulk but as the ledger
-- would have posted it: every transfer's running balances follow from the
-- account's balance before it, and the balances and counters are set to
-- what the rows add up to, so `merchantd funds check` passes afterwards.
--
-- :n shipped orders of shop :shop (SKU :sku of product :product, buyer
-- :buyer), paid and waiting to settle: their payments are in the shop's
-- pending. Their ids are consecutive.
SET session_replication_role = replica;
INSERT INTO orders (order_sn, shop_id, merchant_id, buyer_id, buyer_name, status, items_cents,
                    total_cents, paid_cents, addr_name, addr_phone, addr_province, addr_city,
                    addr_district, addr_detail, note, created_at, expires_at, paid_at, grouped_at,
                    carrier, tracking_no, shipped_at, items, change_seq, change_xid)
SELECT 'F' || lpad(g::text, 12, '0'), :shop, (SELECT merchant_id FROM shops WHERE id = :shop),
       :buyer, 'funds buyer', 'shipped', 2990, 2990, 2990, '张三', '13800138000', '广东省',
       '深圳市', '南山区', '科技园 ' || g || ' 号', '', now(), now() + interval '1 day', now(),
       now(), 'sf', 'SF' || lpad(g::text, 10, '0'), now(),
       jsonb_build_array(jsonb_build_object('line', 1, 'sku_id', :sku, 'product_id', :product,
         'title', '赣南脐橙 5斤装', 'spec', '中果', 'image', NULL, 'price_cents', 2990, 'quantity', 1)),
       (pg_current_xact_id()::text::bigint << 20) + g, pg_current_xact_id()
  FROM generate_series(1, :n) AS g;
INSERT INTO order_items (order_id, line, sku_id, product_id, title, spec, image, price_cents, quantity)
SELECT o.id, 1, :sku, :product, '赣南脐橙 5斤装', '中果', NULL, 2990, 1
  FROM orders o WHERE o.shop_id = :shop AND o.order_sn LIKE 'F%'
   AND NOT EXISTS (SELECT 1 FROM order_items i WHERE i.order_id = o.id);
INSERT INTO shop_order_counts AS c (shop_id, tab, n) VALUES (:shop, 'shipped', :n)
ON CONFLICT (shop_id, tab) DO UPDATE SET n = c.n + EXCLUDED.n;
SET session_replication_role = DEFAULT;

-- Their money: order_funds rows (whose trigger counts them on shop_funds)
-- and one payment each, provider clearing -> the shop's pending.
CREATE TEMPORARY TABLE new_funds AS
SELECT o.id AS order_id FROM orders o
 WHERE o.shop_id = :shop AND o.order_sn LIKE 'F%'
   AND NOT EXISTS (SELECT 1 FROM order_funds f WHERE f.order_id = o.id);
INSERT INTO order_funds (order_id, shop_id, state, paid_cents, pending_cents, paid_at)
SELECT o.id, o.shop_id, 'pending', o.paid_cents, o.paid_cents, o.paid_at
  FROM orders o JOIN new_funds n ON n.order_id = o.id ORDER BY o.id;
INSERT INTO ledger_transfers (event_key, leg, debit_account_id, credit_account_id, amount_cents,
                              kind, cause, cause_id, debit_balance_after, credit_balance_after,
                              created_at)
SELECT 'order:' || f.order_id || ':paid', 1, c.id, p.id, f.paid_cents, 'payment', 'order',
       f.order_id, c.balance - sum(f.paid_cents) OVER w, p.balance + sum(f.paid_cents) OVER w,
       f.paid_at
  FROM order_funds f
  JOIN ledger_accounts p ON p.id = ledger_account(:shop, 'pending')
  JOIN ledger_accounts c ON c.id = ledger_account(:shop, 'provider_clearing')
 WHERE f.order_id IN (SELECT order_id FROM new_funds)
WINDOW w AS (ORDER BY f.order_id)
 ORDER BY f.order_id;
UPDATE ledger_accounts a SET balance = a.balance + CASE WHEN a.kind = 'pending' THEN s.t ELSE -s.t END
  FROM (SELECT coalesce(sum(paid_cents), 0) AS t FROM order_funds
         WHERE order_id IN (SELECT order_id FROM new_funds)) s
 WHERE a.id IN (ledger_account(:shop, 'pending'), ledger_account(:shop, 'provider_clearing'));

-- :m top-ups of shop :flows_shop's deposit, one a second from 2026-01-01,
-- of 1 to 97 fen: the flows and the statement read these.
INSERT INTO ledger_transfers (event_key, leg, debit_account_id, credit_account_id, amount_cents,
                              kind, cause, cause_id, debit_balance_after, credit_balance_after,
                              created_at)
SELECT 'bench-topup:' || :flows_shop || ':' || g, 1, c.id, d.id, 1 + g % 97, 'topup', 'topup', g,
       c.balance - sum(1 + g % 97) OVER w, d.balance + sum(1 + g % 97) OVER w,
       timestamptz '2026-01-01 00:00:00+00' + g * interval '1 second'
  FROM generate_series(1, :m) g
  JOIN ledger_accounts d ON d.id = ledger_account(:flows_shop, 'deposit')
  JOIN ledger_accounts c ON c.id = ledger_account(:flows_shop, 'provider_clearing')
WINDOW w AS (ORDER BY g)
 ORDER BY g;
UPDATE ledger_accounts a SET balance = a.balance + CASE WHEN a.kind = 'deposit' THEN s.t ELSE -s.t END
  FROM (SELECT coalesce(sum(1 + g % 97), 0) AS t FROM generate_series(1, :m) g) s
 WHERE a.id IN (ledger_account(:flows_shop, 'deposit'),
                ledger_account(:flows_shop, 'provider_clearing'));
VACUUM ANALYZE ledger_transfers;
VACUUM ANALYZE orders;
