-- Demo data for a first look at merchantd, loaded once by scripts/run.sh:
-- merchant "demo" with two shops and their products, buyer "demo-buyer" with
-- orders in every state, and platform staff "demo-staff" holding every
-- permission. All use the password "demo-password".
BEGIN;
INSERT INTO accounts (role, username, display_name, password_hash, created_at)
VALUES ('merchant', 'demo', 'Demo Merchant', '$argon2id$v=19$m=65536,t=2,p=1$FqajeLKkacAonDM8Y66IAg$VZ+1ddReIJr46BJMFAMWQ4iVpcBtxnqUESUwiSbs4d0', now()),
       ('buyer', 'demo-buyer', '小王', '$argon2id$v=19$m=65536,t=2,p=1$FqajeLKkacAonDM8Y66IAg$VZ+1ddReIJr46BJMFAMWQ4iVpcBtxnqUESUwiSbs4d0', now());
INSERT INTO accounts (role, username, display_name, password_hash, created_at, permissions)
VALUES ('staff', 'demo-staff', '平台小二', '$argon2id$v=19$m=65536,t=2,p=1$FqajeLKkacAonDM8Y66IAg$VZ+1ddReIJr46BJMFAMWQ4iVpcBtxnqUESUwiSbs4d0', now(),
        '{review,finance,campaigns,community,support,growth}');

INSERT INTO shops (merchant_id, name, description, created_at, updated_at)
SELECT id, s.name, s.description, now(), now()
  FROM accounts, (VALUES ('果园直供', '产地直发的新鲜水果'), ('居家好物', '日用百货')) AS s (name, description)
 WHERE username = 'demo';

INSERT INTO products (shop_id, title, description, images, status, created_at, updated_at)
SELECT s.id, p.title, p.description, ARRAY[p.image], 'on_sale', now(), now()
  FROM shops s JOIN (VALUES
    ('果园直供', '赣南脐橙 5斤装', '现摘现发', 'https://img.example.test/orange.jpg'),
    ('果园直供', '阳光玫瑰葡萄 2斤', '无籽香甜', 'https://img.example.test/grape.jpg'),
    ('居家好物', '加厚抽纸 24包', '原生木浆', 'https://img.example.test/tissue.jpg')
  ) AS p (shop, title, description, image) ON p.shop = s.name;

INSERT INTO skus (product_id, shop_id, spec, price_cents, stock, created_at, updated_at)
SELECT p.id, p.shop_id, k.spec, k.price, 500, now(), now()
  FROM products p JOIN (VALUES
    ('赣南脐橙 5斤装', '中果', 2990), ('赣南脐橙 5斤装', '大果', 3990),
    ('阳光玫瑰葡萄 2斤', '标准装', 4590),
    ('加厚抽纸 24包', '24包', 3290)
  ) AS k (title, spec, price) ON k.title = p.title;

-- Six orders of the first shop: two unpaid, two to ship, one shipped, one completed.
SELECT order_create(b.id, s.id, jsonb_build_array(jsonb_build_object('sku_id', k.id, 'quantity', n)),
                    '{"name": "王小明", "phone": "13812345678", "province": "广东省", "city": "深圳市",
                      "district": "南山区", "detail": "科技园路 1 号"}',
                    '', now() - n * interval '1 hour', now() + interval '30 minutes' - n * interval '1 hour' + interval '1 day')
  FROM accounts b, shops s, skus k, generate_series(1, 6) AS n
 WHERE b.username = 'demo-buyer' AND s.name = '果园直供' AND k.shop_id = s.id AND k.spec = '中果';
SELECT order_pay(buyer_id, id, created_at + interval '5 minutes') FROM orders WHERE order_sn IN (
  SELECT order_sn FROM orders ORDER BY id OFFSET 2);
SELECT order_ship(shop_id, id, 'sf', 'SF10000' || id, paid_at + interval '1 hour') FROM orders
 WHERE status = 'paid' AND id IN (SELECT id FROM orders ORDER BY id OFFSET 4);
SELECT order_confirm_receipt(buyer_id, id, now()) FROM orders WHERE id = (SELECT max(id) FROM orders);
COMMIT;
