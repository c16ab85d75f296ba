-- Fills one database of the sharding benchmark (tests/bench/sharding.sh).
-- The same script runs on the single database (:nshards 1, :shard 0) and on
-- each shard (:nshards 2, :shard 0 or 1), so every row has the same id
-- wherever it lives:
--   accounts   merchants 1..:shops (merchant s owns shop s), buyers
--              1001..1000+:buyers; on every database (the plan's reference
--              table)
--   shops      s in 1..:shops with s % :nshards = :shard, one product and
--              one SKU each (ids = s)
--   convs      s * 100000 + b for b in 1..:convs: shop s with buyer 1000+b
--   orders     g * 1000 + s for g in 1..:orders: ids interleave across shops
--              in time, as a buyer's list across shops would; buyer
--              1001 + (g * 7 + s) % :buyers
-- The identities then go on in a residue class of the database's own
-- (below), so what the run creates (orders, order numbers) never collides
-- across shards: an order's id modulo the shard count says where it lives. Triggers are off for the bulk
-- orders (session_replication_role), as in gen_orders.sql.
INSERT INTO accounts (id, role, username, display_name, password_hash, created_at)
OVERRIDING SYSTEM VALUE
SELECT s, 'merchant', 'shard_m' || s, 'merchant ' || s, '$argon2id$bench', now()
  FROM generate_series(1, :shops) s
UNION ALL
SELECT 1000 + b, 'buyer', 'shard_b' || b, 'buyer ' || b, '$argon2id$bench', now()
  FROM generate_series(1, :buyers) b;

INSERT INTO shops (id, merchant_id, name, created_at, updated_at) OVERRIDING SYSTEM VALUE
SELECT s, s, 'shard shop ' || s, now(), now()
  FROM generate_series(1, :shops) s WHERE s % :nshards = :shard;
INSERT INTO products (id, shop_id, title, status, created_at, updated_at) OVERRIDING SYSTEM VALUE
SELECT id, id, '赣南脐橙 5斤装', 'on_sale', now(), now() FROM shops;
INSERT INTO skus (id, product_id, shop_id, spec, price_cents, stock, created_at, updated_at)
OVERRIDING SYSTEM VALUE
SELECT id, id, id, '中果', 2990, 10000000, now(), now() FROM shops;

INSERT INTO conversations (id, shop_id, merchant_id, buyer_id, created_at, last_activity_at)
OVERRIDING SYSTEM VALUE
SELECT s.id * 100000 + b, s.id, s.id, 1000 + b, now(), now()
  FROM shops s, generate_series(1, :convs) b;

SET session_replication_role = replica;
INSERT INTO orders (id, order_sn, shop_id, merchant_id, buyer_id, buyer_name, status, items_cents,
                    total_cents, paid_cents, addr_name, addr_phone, addr_province, addr_city,
                    addr_district, addr_detail, note, created_at, expires_at, paid_at, grouped_at,
                    shipped_at, carrier, tracking_no, completed_at, closed_at, close_reason, items,
                    change_seq, change_xid)
OVERRIDING SYSTEM VALUE
SELECT g * 1000 + s.id, 'S' || lpad((g * 1000 + s.id)::text, 12, '0'), s.id, s.id,
       1001 + (g * 7 + s.id) % :buyers, 'buyer ' || (1 + (g * 7 + s.id) % :buyers), st,
       2990 * q, 2990 * q, CASE WHEN st IN ('unpaid', 'closed') THEN 0 ELSE 2990 * q END,
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
       jsonb_build_array(jsonb_build_object('line', 1, 'sku_id', s.id, 'product_id', s.id,
         'title', '赣南脐橙 5斤装', 'spec', '中果', 'image', NULL, 'price_cents', 2990,
         'quantity', q)),
       (pg_current_xact_id()::text::bigint << 20) + g * 1000 + s.id, pg_current_xact_id()
  FROM shops s, generate_series(1, :orders) AS g,
       LATERAL (SELECT now() - (:orders - g) * interval '1 minute' AS t,
                       (g % 3) + 1 AS q,
                       (ARRAY['paid', 'paid', 'paid', 'shipped', 'completed', 'completed',
                              'unpaid', 'closed'])[g % 8 + 1] AS st) x;
INSERT INTO order_items (order_id, line, sku_id, product_id, title, spec, image, price_cents, quantity)
SELECT o.id, 1, o.shop_id, o.shop_id, '赣南脐橙 5斤装', '中果', NULL, 2990, o.items_cents / 2990
  FROM orders o;
INSERT INTO shop_order_counts (shop_id, tab, n)
SELECT shop_id, status, count(*) FROM orders GROUP BY shop_id, status
ON CONFLICT (shop_id, tab) DO UPDATE SET n = EXCLUDED.n;
SET session_replication_role = DEFAULT;

-- What the run creates draws ids from this database's own residue class:
-- :id_start = 10^12 + shard, step :nshards, as the generated rows (s % 2 is
-- the shard, and g * 1000 + s keeps s's parity). New ids of the shards
-- interleave in time, as the plan's per-node sequences would.
SELECT setval(pg_get_serial_sequence('accounts', 'id'), 100000);
SELECT setval(pg_get_serial_sequence('shops', 'id'), 100000);
SELECT setval(pg_get_serial_sequence('products', 'id'), 100000);
SELECT setval(pg_get_serial_sequence('skus', 'id'), 100000);
ALTER TABLE conversations ALTER COLUMN id SET INCREMENT BY :nshards RESTART WITH :id_start;
ALTER TABLE orders ALTER COLUMN id SET INCREMENT BY :nshards RESTART WITH :id_start;
-- Order numbers are ten digits: the same residue class from 10^9.
ALTER SEQUENCE order_sn_seq INCREMENT BY :nshards;
SELECT setval('order_sn_seq', 1000000000 + :shard);
ANALYZE;
