-- What the previous release's database holds in tests/integration/upgrade/
-- prev_release.sql, beside scripts/demo-data.sql: coupons claimed and used,
-- a chat with auto-replies, orders held, released and closed by the review,
-- and letters delivered about them. Run with the previous release's
-- functions, on a database it migrated (see README in this folder).
BEGIN;
INSERT INTO accounts (role, username, display_name, password_hash, created_at)
VALUES ('reviewer', 'demo-reviewer', 'Demo Reviewer', (SELECT password_hash FROM accounts WHERE username = 'demo'), '2030-05-01 08:00Z');

-- A shop coupon and a live-only coupon, claimed by the buyer; one used on an order.
SELECT c.code FROM shops s, accounts m,
       LATERAL coupons_create(m.id, s.id, 'shop', '{}', '满50减5', 500, 5000, 100, 2,
                              '2030-05-01 00:00Z', '2030-06-01 00:00Z', 30, NULL, NULL, 'normal',
                              '2030-05-01 00:00Z') c
 WHERE m.username = 'demo' AND s.name = '果园直供';
SELECT c.code FROM shops s, accounts m,
       LATERAL coupons_create(m.id, s.id, 'shop', '{}', '直播专享', 300, 0, 10, 1,
                              '2030-05-01 00:00Z', '2030-06-01 00:00Z', NULL,
                              '2030-05-01 00:00Z', '2030-07-01 00:00Z', 'live',
                              '2030-05-01 00:00Z') c
 WHERE m.username = 'demo' AND s.name = '果园直供';
SELECT shop_live_start(m.id, s.id, '2030-05-02 10:00Z') FROM shops s, accounts m
 WHERE m.username = 'demo' AND s.name = '果园直供';
SELECT r.result FROM accounts b, coupons c, LATERAL coupon_claim(b.id, c.id, '2030-05-02 10:05Z') r
 WHERE b.username = 'demo-buyer' ORDER BY c.id;
SELECT r.result FROM accounts b, coupons c, LATERAL coupon_claim(b.id, c.id, '2030-05-02 10:06Z') r
 WHERE b.username = 'demo-buyer' AND c.channel = 'normal';

-- Orders with a coupon and without, paid at 10:00 Shanghai.
SELECT r.result FROM accounts b, shops s, skus k, buyer_coupons bc,
       LATERAL order_create(b.id, s.id, jsonb_build_array(jsonb_build_object('sku_id', k.id, 'quantity', 2)),
                            '{"name": "王小明", "phone": "13812345678", "province": "广东省", "city": "深圳市",
                              "district": "南山区", "detail": "科技园路 1 号"}', '用优惠券',
                            '2030-05-03 02:00Z', '2030-05-03 02:30Z', bc.id) r
 WHERE b.username = 'demo-buyer' AND s.name = '果园直供' AND k.shop_id = s.id AND k.spec = '大果'
   AND bc.id = (SELECT min(id) FROM buyer_coupons);
SELECT r.result FROM accounts b, shops s, skus k, generate_series(1, 4) g,
       LATERAL order_create(b.id, s.id, jsonb_build_array(jsonb_build_object('sku_id', k.id, 'quantity', 1)),
                            '{"name": "王小明", "phone": "13812345678", "province": "广东省", "city": "深圳市",
                              "district": "南山区", "detail": "科技园路 1 号"}', '第' || g || '单',
                            '2030-05-03 02:00Z', '2030-05-03 02:30Z') r
 WHERE b.username = 'demo-buyer' AND s.name = '居家好物' AND k.shop_id = s.id;
SELECT order_pay(buyer_id, id, '2030-05-03 02:05Z') FROM orders WHERE created_at = '2030-05-03 02:00Z';

-- The review: three held, one released, one closed with a refund, one extended; letters delivered.
SELECT review_hold(r.id, o.id, '地址可疑', NULL, '2030-05-03 02:20Z')
  FROM accounts r, orders o WHERE r.username = 'demo-reviewer' AND o.created_at = '2030-05-03 02:00Z'
   AND o.shop_id = (SELECT id FROM shops WHERE name = '居家好物') AND o.status = 'paid'
 ORDER BY o.id LIMIT 3;
SELECT letters_deliver('2030-05-03 03:00Z', 'Asia/Shanghai', 500);
SELECT review_release(r.id, (SELECT min(id) FROM orders WHERE review_status = 'under_review'), '核实无误', '2030-05-03 03:10Z')
  FROM accounts r WHERE r.username = 'demo-reviewer';
SELECT review_close(r.id, (SELECT min(id) FROM orders WHERE review_status = 'under_review'), '虚假交易', '2030-05-03 03:15Z')
  FROM accounts r WHERE r.username = 'demo-reviewer';
SELECT review_extend(r.id, (SELECT min(id) FROM orders WHERE review_status = 'under_review'), 24, '需补充材料', '2030-05-03 03:20Z')
  FROM accounts r WHERE r.username = 'demo-reviewer';
SELECT letters_deliver('2030-05-03 04:00Z', 'Asia/Shanghai', 500);

-- A chat: auto-replies set, a conversation, messages with cards.
INSERT INTO auto_replies (shop_id, greeting, keyword_rules, updated_at)
SELECT id, '您好，欢迎光临', '[{"keyword": "发货", "reply": "48小时内发货"}]', '2030-05-01 00:00Z'
  FROM shops WHERE name = '果园直供';
SELECT r.result FROM accounts b, shops s, LATERAL conversation_open(b.id, s.id, '2030-05-03 05:00Z') r
 WHERE b.username = 'demo-buyer' AND s.name = '果园直供';
SELECT r.result FROM accounts b, conversations c,
       LATERAL message_send(b.id, c.id, 'text', '什么时候发货？', NULL, NULL, NULL, '2030-05-03 05:01Z') r
 WHERE b.username = 'demo-buyer';
SELECT r.result FROM accounts m, conversations c, products p,
       LATERAL message_send(m.id, c.id, 'product_card', NULL, NULL, ARRAY[p.id], NULL, '2030-05-03 05:02Z') r
 WHERE m.username = 'demo' AND p.title = '阳光玫瑰葡萄 2斤';
SELECT r.result FROM accounts b, conversations c, orders o,
       LATERAL message_send(b.id, c.id, 'order_card', NULL, NULL, NULL, o.id, '2030-05-03 05:03Z') r
 WHERE b.username = 'demo-buyer' AND o.id = (SELECT min(id) FROM orders WHERE coupon_id IS NOT NULL);
SELECT conversation_read(m.id, c.id, (SELECT max(id) FROM messages), '2030-05-03 05:04Z')
  FROM accounts m, conversations c WHERE m.username = 'demo';
COMMIT;
