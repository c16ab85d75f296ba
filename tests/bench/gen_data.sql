-- The data of tests/bench/data.sh: shop :shop (of merchant :merchant) as it
-- would be after :days days of trade, ending now. Set-based and in bulk:
--   :buyers buyers (usernames databuyer<n>, the password hash of account
--     :template), :products products of one SKU each;
--   :orders orders, every one paid (created a few minutes before), spread
--     evenly over the days, one in seven by a buyer who writes to the shop
--     (below); shipped 1 to 61 hours after payment with
--     one of the ten carriers and completed 2 to 6 days after shipping, as
--     far as now allows; 2 % partly refunded after shipping, 1 % refunded in
--     full 20 minutes after payment (closed, refunded); one or two lines,
--     the products skewed so a few sell most;
--   five shop coupons: every tenth order pays with a buyer coupon claimed
--     1 to 48 hours before, and as many claims again are never used;
--   :rounds customer-service rounds in conversations of the first
--     :writers buyers: a buyer's message, an auto-reply to every third,
--     a second buyer message in every fourth, and a merchant reply 5 to
--     704 seconds later to nine in ten;
--   the daily partitions of page_views for the window and the day after
--     (page_views_partitions_ensure; the views themselves: gen_views.sql,
--     run in parallel).
-- Triggers are off for the bulk load (session_replication_role), as in
-- gen_orders.sql: change positions, counters (shop_order_counts, coupons'
-- claimed and used) and conversations' summaries are
-- filled in here. fold_xid takes its default: the rollups are built
-- afterwards by `merchantd stats rebuild`.
-- Leaves one row in bench_data: the window and the ids the other scripts use.
\set ON_ERROR_STOP 1
SET session_replication_role = replica;
SET work_mem = '256MB';

CREATE TABLE bench_data AS
SELECT :shop::bigint AS shop_id, :merchant::bigint AS merchant_id,
       now() - :days * interval '1 day' AS t0, now() AS t1,
       :buyers::integer AS buyers, :products::integer AS products,
       :writers::integer AS writers, NULL::bigint AS buyer0, NULL::bigint AS product0,
       NULL::bigint AS coupon0, :'tz'::text AS tz;

-- Buyers and products: consecutive ids.
INSERT INTO accounts (role, username, display_name, password_hash, created_at)
SELECT 'buyer', 'databuyer' || g, '买家' || g, (SELECT password_hash FROM accounts WHERE id = :template),
       (SELECT t0 FROM bench_data) - interval '30 days'
  FROM generate_series(1, :buyers) g ORDER BY g;
UPDATE bench_data SET buyer0 = (SELECT min(id) FROM accounts WHERE username LIKE 'databuyer%');
INSERT INTO products (shop_id, title, status, created_at, updated_at)
SELECT :shop, '赣南脐橙 ' || g || ' 号', 'on_sale', t0 - interval '30 days', t0 - interval '30 days'
  FROM bench_data, generate_series(1, :products) g ORDER BY g;
UPDATE bench_data SET product0 = (SELECT min(id) FROM products WHERE shop_id = :shop);
INSERT INTO skus (product_id, shop_id, spec, price_cents, stock, created_at, updated_at)
SELECT p.id, :shop, '5斤装', 990 + (p.id - b.product0) * 100, 10000000, p.created_at, p.created_at
  FROM products p, bench_data b WHERE p.shop_id = :shop ORDER BY p.id;
INSERT INTO coupons (shop_id, kind, title, discount_cents, min_order_cents, total_quantity,
                     per_buyer_limit, claim_start, claim_end, valid_days, channel, created_at)
SELECT :shop, 'shop', '满减券 ' || g, 300, 0, 1000000, 100, t0 - interval '1 day',
       t1 + interval '365 days', 7, 'normal', t0 - interval '1 day'
  FROM bench_data, generate_series(1, 5) g ORDER BY g;
UPDATE bench_data SET coupon0 = (SELECT min(id) FROM coupons WHERE shop_id = :shop);

-- The orders' plan. Ids are taken from the identity sequences up front so
-- that orders and buyer coupons can name each other in one pass.
CREATE TEMP TABLE plan AS
SELECT g, o0 + g AS id, bc0 + g / 10 AS coupon_bc, paid_at, buyer,
       paid_at - (60 + h1 % 900) * interval '1 second' AS created_at,
       p1, p2, 1 + h2 % 3 AS q1, 1 + h3 % 2 AS q2,
       paid_at + (3600 + h4 % 216000) * interval '1 second' AS ship_at,
       (ARRAY['sf', 'sf', 'sf', 'zto', 'zto', 'yto', 'sto', 'yunda', 'jd', 'ems', 'jtexpress', 'deppon', 'best'])[1 + h5 % 13] AS carrier,
       (172800 + h6 % 345600) * interval '1 second' AS transit,
       CASE WHEN g % 100 = 13 THEN 'full' WHEN g % 50 = 7 THEN 'part' END AS refund,
       (h7 % 259200) * interval '1 second' AS refund_after
  FROM (SELECT g, b.t0 + (g - 0.5) * (b.t1 - b.t0) / :orders AS paid_at,
               b.buyer0 + (hashint4(g) & 2147483647) % CASE WHEN g % 7 = 0 THEN b.writers ELSE b.buyers END AS buyer,
               b.product0 + floor(b.products * power(((hashint4(g + 1) & 1048575) / 1048576.0), 2))::bigint AS p1,
               CASE WHEN g % 5 = 0 THEN b.product0 + (hashint4(g + 2) & 1048575) % b.products END AS p2,
               hashint4(g + 3) & 1048575 AS h1, hashint4(g + 4) & 1048575 AS h2,
               hashint4(g + 5) & 1048575 AS h3, hashint4(g + 6) & 1048575 AS h4,
               hashint4(g + 7) & 1048575 AS h5, hashint4(g + 8) & 1048575 AS h6,
               hashint4(g + 9) & 1048575 AS h7
          FROM bench_data b, generate_series(1, :orders) g) x,
       (SELECT nextval(pg_get_serial_sequence('orders', 'id')) - 1 AS o0,
               nextval(pg_get_serial_sequence('buyer_coupons', 'id')) - 1 AS bc0) s;
-- A second line is another product than the first.
UPDATE plan SET p2 = NULL WHERE p2 = p1;
CREATE TEMP TABLE lines AS
SELECT pl.id AS order_id, l.line, l.product_id, k.id AS sku_id, p.title, k.spec, k.price_cents, l.q
  FROM plan pl
  CROSS JOIN LATERAL (VALUES (1, pl.p1, pl.q1), (2, pl.p2, pl.q2)) AS l (line, product_id, q)
  JOIN products p ON p.id = l.product_id
  JOIN skus k ON k.product_id = p.id
 WHERE l.product_id IS NOT NULL;
CREATE INDEX ON lines (order_id);
ANALYZE plan;
ANALYZE lines;

INSERT INTO orders (id, order_sn, shop_id, merchant_id, buyer_id, buyer_name, status, items_cents,
                    discount_cents, total_cents, paid_cents, refunded_cents, addr_name, addr_phone,
                    addr_province, addr_city, addr_district, addr_detail, note, carrier, tracking_no,
                    created_at, expires_at, paid_at, grouped_at, shipped_at, completed_at,
                    closed_at, close_reason, items, coupon_id, change_seq, change_xid)
OVERRIDING SYSTEM VALUE
SELECT pl.id, 'DB' || to_char(pl.created_at AT TIME ZONE b.tz, 'YYYYMMDD') || lpad(pl.g::text, 10, '0'),
       :shop, :merchant, pl.buyer, '买家' || (pl.buyer - b.buyer0 + 1),
       CASE WHEN pl.refund = 'full' THEN 'closed' WHEN st.completed_at IS NOT NULL THEN 'completed'
            WHEN st.shipped_at IS NOT NULL THEN 'shipped' ELSE 'paid' END,
       it.cents, d.discount, it.cents - d.discount, it.cents - d.discount,
       CASE pl.refund WHEN 'full' THEN it.cents - d.discount WHEN 'part' THEN (it.cents - d.discount) / 2 ELSE 0 END,
       '张三', '13800138000', '广东省', '深圳市', '南山区', '科技园 ' || pl.g || ' 号', '',
       CASE WHEN st.shipped_at IS NOT NULL THEN pl.carrier END,
       CASE WHEN st.shipped_at IS NOT NULL THEN upper(pl.carrier) || lpad(pl.g::text, 12, '0') END,
       pl.created_at, pl.created_at + interval '30 minutes', pl.paid_at, pl.paid_at,
       st.shipped_at, st.completed_at,
       CASE WHEN pl.refund = 'full' THEN pl.paid_at + interval '20 minutes' END,
       CASE WHEN pl.refund = 'full' THEN 'refunded' END,
       it.items, CASE WHEN d.discount > 0 THEN pl.coupon_bc END,
       (pg_current_xact_id()::text::bigint << 20) + pl.g, pg_current_xact_id()
  FROM plan pl CROSS JOIN bench_data b
  CROSS JOIN LATERAL (SELECT CASE WHEN pl.g % 10 = 0 THEN 300 ELSE 0 END AS discount) d
  CROSS JOIN LATERAL (
    SELECT CASE WHEN pl.refund IS DISTINCT FROM 'full' AND pl.ship_at <= b.t1 THEN pl.ship_at END AS shipped_at,
           CASE WHEN pl.refund IS DISTINCT FROM 'full' AND pl.ship_at + pl.transit <= b.t1
                THEN pl.ship_at + pl.transit END AS completed_at) st
  CROSS JOIN LATERAL (
    SELECT sum(l.price_cents * l.q) AS cents,
           jsonb_agg(jsonb_build_object('line', l.line, 'sku_id', l.sku_id, 'product_id', l.product_id,
             'title', l.title, 'spec', l.spec, 'image', NULL, 'price_cents', l.price_cents,
             'quantity', l.q) ORDER BY l.line) AS items
      FROM lines l WHERE l.order_id = pl.id) it
 ORDER BY pl.g;
SELECT setval(pg_get_serial_sequence('orders', 'id'), (SELECT max(id) FROM plan));
INSERT INTO order_items (order_id, line, sku_id, product_id, title, spec, image, price_cents, quantity)
SELECT order_id, line, sku_id, product_id, title, spec, NULL, price_cents, q
  FROM lines ORDER BY order_id, line;

-- Refunds: a partial one some time after shipping (or after payment, for
-- an order not shipped yet), but never after now; a full one 20 minutes
-- after payment.
INSERT INTO refunds (order_id, amount_cents, reason, created_at)
SELECT o.id, o.refunded_cents, CASE pl.refund WHEN 'full' THEN '不想要了' ELSE '部分坏果，退一半' END,
       CASE pl.refund WHEN 'full' THEN o.closed_at
            ELSE least(coalesce(o.shipped_at, o.paid_at) + pl.refund_after,
                       greatest(o.paid_at, b.t1 - interval '1 minute')) END
  FROM plan pl JOIN orders o ON o.id = pl.id CROSS JOIN bench_data b
 WHERE pl.refund IS NOT NULL
 ORDER BY 4;

-- Buyer coupons: every tenth order's, claimed 1 to 48 hours before it was
-- placed (ids bc0 + g/10, as the orders name them), then as many unused
-- claims spread over the window. Ids follow the plan, not the claim time.
INSERT INTO buyer_coupons (id, coupon_id, buyer_id, shop_id, valid_from, valid_to, claimed_at,
                           used_order_id, used_at)
OVERRIDING SYSTEM VALUE
SELECT pl.coupon_bc, b.coupon0 + (pl.g / 10) % 5, pl.buyer, :shop, c.at, c.at + interval '7 days', c.at,
       pl.id, pl.created_at
  FROM plan pl CROSS JOIN bench_data b
  CROSS JOIN LATERAL (SELECT pl.created_at - (3600 + (hashint4(pl.g + 10) & 1048575) % 169200)
                                             * interval '1 second' AS at) c
 WHERE pl.g % 10 = 0
 ORDER BY pl.g;
SELECT setval(pg_get_serial_sequence('buyer_coupons', 'id'),
              greatest((SELECT max(id) FROM buyer_coupons), 1));
INSERT INTO buyer_coupons (coupon_id, buyer_id, shop_id, valid_from, valid_to, claimed_at)
SELECT b.coupon0 + g % 5, b.buyer0 + (hashint4(g + 11) & 2147483647) % b.buyers, :shop, c.at,
       c.at + interval '7 days', c.at
  FROM bench_data b, generate_series(1, :orders / 10) g
  CROSS JOIN LATERAL (SELECT b.t0 + (g - 0.5) * (b.t1 - b.t0) / (:orders / 10) AS at) c
 ORDER BY g;
SELECT setval(pg_get_serial_sequence('buyer_coupons', 'id'),
              greatest((SELECT max(id) FROM buyer_coupons), 1));
UPDATE coupons c SET claimed = s.claimed, used = s.used
  FROM (SELECT coupon_id, count(*) AS claimed, count(used_order_id) AS used
          FROM buyer_coupons WHERE shop_id = :shop GROUP BY 1) s
 WHERE c.id = s.coupon_id;

INSERT INTO shop_order_counts AS c (shop_id, tab, n)
SELECT :shop, status, count(*) FROM orders WHERE shop_id = :shop GROUP BY status
ON CONFLICT (shop_id, tab) DO UPDATE SET n = EXCLUDED.n;

-- Customer service. One conversation per writing buyer; rounds spread over
-- the window, each in a conversation drawn at random.
INSERT INTO conversations (shop_id, merchant_id, buyer_id, created_at, last_activity_at)
SELECT :shop, :merchant, b.buyer0 + g, b.t0 - interval '1 day', b.t0 - interval '1 day'
  FROM bench_data b, generate_series(0, :writers - 1) g ORDER BY g;
CREATE TEMP TABLE convs AS
SELECT (row_number() OVER (ORDER BY id) - 1)::integer AS k, id, buyer_id
  FROM conversations WHERE shop_id = :shop;
CREATE TEMP TABLE phrases (i integer, sender text, t text);
INSERT INTO phrases VALUES
  (0, 'buyer', '你好，在吗？'), (1, 'buyer', '这个橙子什么时候发货？'), (2, 'buyer', '物流怎么一直不动'),
  (3, 'buyer', '收到的橙子有几个坏了'), (4, 'buyer', '有没有优惠券'), (5, 'buyer', '可以开发票吗'),
  (0, 'merchant', '亲，在的，请问有什么可以帮您？'), (1, 'merchant', '今天下单明天发货哦'),
  (2, 'merchant', '已经帮您催快递了'), (3, 'merchant', '麻烦拍照给我看看，马上给您补发'),
  (4, 'merchant', '店铺首页可以领券'), (5, 'merchant', '可以的，请发一下抬头'),
  (0, 'auto', '您好，客服稍后回复您'), (1, 'again', '亲？'), (2, 'again', '在吗');
INSERT INTO messages (conversation_id, shop_id, buyer_id, sender, sender_id, type, body, created_at)
SELECT c.id, :shop, c.buyer_id, m.sender, CASE m.sender WHEN 'buyer' THEN c.buyer_id WHEN 'merchant' THEN :merchant END,
       'text', p.t, m.at
  FROM bench_data b, generate_series(1, :rounds) r
  CROSS JOIN LATERAL (SELECT b.t0 + (r - 0.5) * (b.t1 - b.t0) / :rounds AS t,
                             (hashint4(r + 20) & 1048575) % 6 AS topic,
                             5 + (hashint4(r + 21) & 1048575) % 700 AS reply_after) x
  CROSS JOIN LATERAL (VALUES ('buyer', x.t, 'buyer', x.topic),
                             (CASE WHEN r % 3 = 0 THEN 'auto' END, x.t + interval '2 seconds', 'auto', 0),
                             (CASE WHEN r % 4 = 1 THEN 'buyer' END, x.t + interval '30 seconds', 'again', 1 + r % 2),
                             (CASE WHEN r % 10 <> 9 THEN 'merchant' END,
                              x.t + x.reply_after * interval '1 second', 'merchant', x.topic))
                     AS m (sender, at, phrase, i)
  JOIN phrases p ON p.sender = m.phrase AND p.i = m.i
  JOIN convs c ON c.k = (hashint4(r + 22) & 2147483647) % :writers
 WHERE m.sender IS NOT NULL AND m.at <= b.t1
 ORDER BY m.at;
UPDATE conversations c
   SET last_message_id = m.id, last_activity_at = m.created_at, last_preview = left(m.body, 100),
       last_buyer_message_at = m.last_buyer, merchant_read_up_to = m.id, buyer_read_up_to = m.id,
       awaiting_reply = m.awaiting
  FROM (SELECT DISTINCT ON (conversation_id) conversation_id, id, body, created_at,
               max(created_at) FILTER (WHERE sender = 'buyer') OVER w AS last_buyer,
               first_value(sender) OVER (PARTITION BY conversation_id
                                         ORDER BY (sender = 'auto'), id DESC) = 'buyer' AS awaiting
          FROM messages WHERE shop_id = :shop
        WINDOW w AS (PARTITION BY conversation_id)
         ORDER BY conversation_id, id DESC) m
 WHERE c.id = m.conversation_id;
INSERT INTO shop_order_counts AS c (shop_id, tab, n)
SELECT :shop, 'conversations', count(*) FROM conversations WHERE shop_id = :shop
UNION ALL
SELECT :shop, 'unreplied_conversations', count(*) FILTER (WHERE awaiting_reply) FROM conversations WHERE shop_id = :shop
ON CONFLICT (shop_id, tab) DO UPDATE SET n = EXCLUDED.n;

-- The daily partitions of page_views (days of :tz, MERCHANTD_TZ, which
-- merchantd gives its connections as merchantd.tz) from the window's
-- first day to the day after today, as the job page_view_partitions makes
-- them.
SET merchantd.tz = :'tz';
SELECT page_views_partitions_ensure(t0, t1 + interval '1 day') FROM bench_data;
SET session_replication_role = DEFAULT;
