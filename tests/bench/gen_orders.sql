-- Fills shop :shop (with SKU :sku of product :product, buyer :buyer) with
-- :n orders spread over the last :n minutes, most of them paid, for the
-- benchmarks. Triggers are off for the bulk load (session_replication_role),
-- so the change positions and the per-tab counts are filled in here.
SET session_replication_role = replica;
INSERT INTO orders (order_sn, shop_id, merchant_id, buyer_id, buyer_name, status, items_cents, total_cents,
                    paid_cents, addr_name, addr_phone, addr_province, addr_city, addr_district,
                    addr_detail, note, created_at, expires_at, paid_at, grouped_at, shipped_at,
                    carrier, tracking_no, completed_at, closed_at, close_reason, items,
                    change_seq, change_xid)
SELECT 'B' || lpad(g::text, 12, '0'), :shop, (SELECT merchant_id FROM shops WHERE id = :shop), :buyer, 'buyer ' || (g % 1000), st, 2990 * q, 2990 * q,
       CASE WHEN st IN ('unpaid', 'closed') THEN 0 ELSE 2990 * q END,
       '张三', '13800138000', '广东省', '深圳市', '南山区', '科技园 ' || g || ' 号', '',
       t, now() + interval '1 day',
       CASE WHEN st IN ('unpaid', 'closed') THEN NULL ELSE t + interval '1 minute' END,
       CASE WHEN st IN ('unpaid', 'closed') THEN NULL ELSE t + interval '1 minute' END,
       CASE WHEN st IN ('shipped', 'completed') THEN t + interval '1 hour' END,
       CASE WHEN st IN ('shipped', 'completed') THEN 'sf' END,
       CASE WHEN st IN ('shipped', 'completed') THEN 'SF' || lpad(g::text, 10, '0') END,
       CASE WHEN st = 'completed' THEN t + interval '2 days' END,
       CASE WHEN st = 'closed' THEN t + interval '30 minutes' END,
       CASE WHEN st = 'closed' THEN 'expired' END,
       jsonb_build_array(jsonb_build_object('line', 1, 'sku_id', :sku, 'product_id', :product,
         'title', '赣南脐橙 5斤装', 'spec', '中果', 'image', NULL, 'price_cents', 2990, 'quantity', q)),
       (pg_current_xact_id()::text::bigint << 20) + g, pg_current_xact_id()
  FROM generate_series(1, :n) AS g,
       LATERAL (SELECT now() - (:n - g) * interval '1 minute' AS t,
                       (g % 3) + 1 AS q,
                       (ARRAY['paid', 'paid', 'paid', 'shipped', 'completed', 'completed', 'unpaid', 'closed'])[g % 8 + 1] AS st) x;
INSERT INTO order_items (order_id, line, sku_id, product_id, title, spec, image, price_cents, quantity)
SELECT o.id, 1, :sku, :product, '赣南脐橙 5斤装', '中果', NULL, 2990, o.items_cents / 2990
  FROM orders o WHERE o.shop_id = :shop;
INSERT INTO shop_order_counts (shop_id, tab, n)
SELECT :shop, status, count(*) FROM orders WHERE shop_id = :shop GROUP BY status
ON CONFLICT (shop_id, tab) DO UPDATE SET n = EXCLUDED.n;
SET session_replication_role = DEFAULT;
ANALYZE orders;
ANALYZE order_items;
