-- Adds :n paid orders, grouped now, to shop :shop (SKU :sku of product
-- :product, buyer :buyer) for tests/bench/review.sh; their ids are
-- consecutive. Triggers are off for the bulk load, so the change positions
-- and the shop's paid count are filled in here (as gen_orders.sql does).
SET session_replication_role = replica;
INSERT INTO orders (order_sn, shop_id, merchant_id, buyer_id, buyer_name, status, items_cents,
                    total_cents, paid_cents, addr_name, addr_phone, addr_province, addr_city,
                    addr_district, addr_detail, note, created_at, expires_at, paid_at, grouped_at,
                    items, change_seq, change_xid)
SELECT 'R' || lpad(g::text, 12, '0'), :shop, (SELECT merchant_id FROM shops WHERE id = :shop),
       :buyer, 'review buyer', 'paid', 2990, 2990, 2990, '张三', '13800138000', '广东省', '深圳市',
       '南山区', '科技园 ' || g || ' 号', '', now(), now() + interval '1 day', now(), now(),
       jsonb_build_array(jsonb_build_object('line', 1, 'sku_id', :sku, 'product_id', :product,
         'title', '赣南脐橙 5斤装', 'spec', '中果', 'image', NULL, 'price_cents', 2990, 'quantity', 1)),
       (pg_current_xact_id()::text::bigint << 20) + g, pg_current_xact_id()
  FROM generate_series(1, :n) AS g;
INSERT INTO order_items (order_id, line, sku_id, product_id, title, spec, image, price_cents, quantity)
SELECT o.id, 1, :sku, :product, '赣南脐橙 5斤装', '中果', NULL, 2990, 1
  FROM orders o WHERE o.shop_id = :shop AND o.order_sn LIKE 'R%';
INSERT INTO shop_order_counts AS c (shop_id, tab, n) VALUES (:shop, 'paid', :n)
ON CONFLICT (shop_id, tab) DO UPDATE SET n = c.n + EXCLUDED.n;
SET session_replication_role = DEFAULT;
ANALYZE orders;
