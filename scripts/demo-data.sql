-- Demo data for a first look at merchantd, loaded once by scripts/run.sh:
-- merchant "demo" with two shops and their products, buyer "demo-buyer" with
-- orders in every state, and platform staff "demo-staff" holding every
-- permission, then thirty days of history for the data pages. All use the
-- password "demo-password".
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

-- Thirty days of history (and today's so far) for the first shop's data pages: more buyers,
-- orders paid, shipped with several carriers and completed, a few refunds,
-- chats answered more or less quickly, and views of the shop and its
-- products. The same every time (setseed).
INSERT INTO accounts (role, username, display_name, password_hash, created_at)
SELECT 'buyer', 'demo-buyer-' || n, (ARRAY['小李', '小张', '阿芳', '老陈', '小刘', '美美', '大伟', '小周'])[n - 1],
       (SELECT password_hash FROM accounts WHERE username = 'demo-buyer'), now() - interval '31 days'
  FROM generate_series(2, 9) AS n;
SELECT page_views_partitions_ensure(now() - interval '31 days', now() + interval '1 day');
DO $$
DECLARE
  v_shop    bigint := (SELECT id FROM shops WHERE name = '果园直供');
  v_owner   bigint := (SELECT merchant_id FROM shops WHERE name = '果园直供');
  v_buyers  bigint[] := ARRAY(SELECT id FROM accounts WHERE username LIKE 'demo-buyer-%' ORDER BY id);
  v_skus    bigint[] := ARRAY(SELECT id FROM skus WHERE shop_id = (SELECT id FROM shops WHERE name = '果园直供') ORDER BY id);
  v_day     timestamptz;
  v_at      timestamptz;
  v_buyer   bigint;
  v_order   bigint;
  v_conv    bigint;
  v_sale    bigint;
  v_product bigint;
  v_sku     bigint;
BEGIN
  PERFORM setseed(0.42);
  FOR d IN REVERSE 30..0 LOOP  -- today too, up to now
    v_day := date_trunc('day', now() AT TIME ZONE platform_zone()) AT TIME ZONE platform_zone()
             - d * interval '1 day';
    FOR i IN 1..(4 + floor(random() * 8))::int LOOP
      v_buyer := v_buyers[1 + floor(random() * array_length(v_buyers, 1))::int];
      v_at := v_day + interval '9 hours' + random() * interval '13 hours';
      CONTINUE WHEN v_at > now() - interval '10 minutes';
      SELECT order_id INTO v_order FROM order_create(v_buyer, v_shop,
        jsonb_build_array(jsonb_build_object('sku_id', v_skus[1 + floor(random() * array_length(v_skus, 1))::int],
                                             'quantity', 1 + floor(random() * 2)::int)),
        '{"name": "李雷", "phone": "13900001111", "province": "浙江省", "city": "杭州市",
          "district": "西湖区", "detail": "文三路 2 号"}', '', v_at, v_at + interval '30 minutes');
      CONTINUE WHEN random() < 0.1;  -- left unpaid: closes at its deadline
      PERFORM order_pay(v_buyer, v_order, v_at + interval '3 minutes');
      IF random() < 0.06 THEN
        SELECT after_sale_id INTO v_sale FROM after_sale_create(v_buyer, v_order, 'refund_only', '不想要了',
                                                                 NULL, v_at + interval '2 hours');
        PERFORM after_sale_approve(v_shop, v_sale, v_at + interval '5 hours');
        CONTINUE;
      END IF;
      v_at := v_at + interval '2 hours' + random() * interval '40 hours';
      CONTINUE WHEN v_at > now();
      PERFORM order_ship(v_shop, v_order, (ARRAY['sf', 'zto', 'yto', 'jd'])[1 + floor(random() * 4)::int],
                         'DEMO' || v_order || 'X', v_at);
      v_at := v_at + interval '40 hours' + random() * interval '72 hours';
      CONTINUE WHEN v_at > now();
      PERFORM order_confirm_receipt(v_buyer, v_order, v_at);
    END LOOP;
    FOR i IN 1..(2 + floor(random() * 4))::int LOOP
      v_buyer := v_buyers[1 + floor(random() * array_length(v_buyers, 1))::int];
      SELECT conversation_id INTO v_conv FROM conversation_open(v_buyer, v_shop, v_day);
      v_at := v_day + interval '8 hours' + random() * interval '14 hours';
      CONTINUE WHEN v_at > now() - interval '10 minutes';
      PERFORM message_send(v_buyer, v_conv, 'text', '请问什么时候发货?', NULL, NULL, NULL, v_at, NULL);
      CONTINUE WHEN random() < 0.15;  -- left unanswered
      PERFORM message_send(v_owner, v_conv, 'text', '亲, 48 小时内发出哦', NULL, NULL, NULL,
                           v_at + (20 + random() * 400) * interval '1 second', NULL);
      CONTINUE WHEN random() < 0.3;  -- the reply not read yet (no 已读 on it)
      PERFORM conversation_read(v_buyer, v_conv, (SELECT last_message_id FROM conversations
                                                   WHERE id = v_conv), v_at + interval '8 minutes');
    END LOOP;
    FOR i IN 1..(40 + floor(random() * 80))::int LOOP
      v_sku := v_skus[1 + floor(random() * array_length(v_skus, 1))::int];
      v_product := CASE WHEN random() < 0.8 THEN (SELECT product_id FROM skus WHERE id = v_sku) END;
      v_at := v_day + random() * interval '24 hours';
      CONTINUE WHEN v_at > now();
      INSERT INTO page_views (shop_id, product_id, visitor, source, minute, at)
      VALUES (v_shop, v_product,
              CASE WHEN random() < 0.3 THEN 'a:' || v_buyers[1 + floor(random() * array_length(v_buyers, 1))::int]
                   ELSE 'v:demo-visitor-' || floor(random() * 150)::int END,
              (ARRAY['search', 'home', 'share_wechat', ''])[1 + floor(random() * 4)::int],
              date_trunc('minute', v_at), v_at)
      ON CONFLICT DO NOTHING;
    END LOOP;
  END LOOP;
END
$$;
-- Feedback and official support (docs/support.md): a feedback of the demo
-- merchant about the first shop that demo-staff answered and one still
-- open; a support conversation of the first shop that demo-staff claimed
-- and answered, and one of the second shop that demo-staff claimed and
-- released, back in the queue where it waited.
DO $$
DECLARE
  v_merchant bigint := (SELECT id FROM accounts WHERE username = 'demo');
  v_staff    bigint := (SELECT id FROM accounts WHERE username = 'demo-staff');
  v_fruit    bigint := (SELECT id FROM shops WHERE name = '果园直供');
  v_home     bigint := (SELECT id FROM shops WHERE name = '居家好物');
  v_id       bigint;
BEGIN
  SELECT feedback_id INTO v_id FROM feedback_create(v_merchant, 'bug', '订单导出的 CSV 用 Excel 打开是乱码',
                                                    '{}', '5.2.1', 'iPhone 15', now() - interval '2 days',
                                                    v_fruit);
  PERFORM feedback_reply(v_staff, v_id, '感谢反馈! 导出文件已改为带 BOM 的 UTF-8, 新版本已修复。',
                         now() - interval '1 day');
  PERFORM feedback_create(v_merchant, 'suggestion', '希望商品可以批量改价', '{}', '5.2.1', 'iPhone 15',
                          now() - interval '3 hours', NULL);

  SELECT conversation_id INTO v_id FROM support_open(v_merchant, v_fruit, now() - interval '5 hours');
  PERFORM message_send(v_merchant, v_id, 'text', '你好, 店铺保证金可以退吗?', NULL, NULL, NULL,
                       now() - interval '5 hours', NULL);
  PERFORM support_claim(v_staff, v_id, now() - interval '4 hours');
  PERFORM message_send(v_staff, v_id, 'text', '您好, 关店后保证金会在 7 个工作日内退回可用余额。',
                       NULL, NULL, NULL, now() - interval '4 hours', NULL);
  SELECT conversation_id INTO v_id FROM support_open(v_merchant, v_home, now() - interval '30 minutes');
  PERFORM message_send(v_merchant, v_id, 'text', '活动报名一直审核中, 麻烦看一下', NULL, NULL, NULL,
                       now() - interval '30 minutes', NULL);
  PERFORM support_claim(v_staff, v_id, now() - interval '20 minutes');
  PERFORM support_release(v_staff, v_id, now() - interval '10 minutes');
END
$$;
-- The community (docs/community.md): staff articles (one pinned), a
-- merchant's question answered by staff, comments, a reply, likes,
-- bookmarks and a report waiting in the moderation queue. The bodies' HTML
-- is what markdown_render writes for their Markdown.
INSERT INTO community_articles (kind, author_id, title, body_markdown, body_html, category, tags,
                                publish_at, pinned, created_at, updated_at)
SELECT a.kind, u.id, a.title, a.md, a.html, a.category, a.tags, now() - a.age, a.pinned,
       now() - a.age, now() - a.age
  FROM accounts u JOIN (VALUES
    ('demo-staff', 'article', '新店开张: 前 30 天怎么做', E'## 三件事\n\n1. 上架 **10 个**以上商品\n2. 设置自动回复\n3. 48 小时内发货',
     E'<h2>三件事</h2>\n<ol>\n<li>上架 <strong>10 个</strong>以上商品</li>\n<li>设置自动回复</li>\n<li>48 小时内发货</li>\n</ol>\n',
     '新手入门', '{新手,运营}'::text[], interval '3 days', false),
    ('demo-staff', 'article', '平台发货规则更新', E'自下月起, 付款后 **48 小时**内未发货的订单将影响店铺评分。',
     E'<p>自下月起, 付款后 <strong>48 小时</strong>内未发货的订单将影响店铺评分。</p>\n',
     '平台规则', '{发货}'::text[], interval '1 day', true),
    ('demo-staff', 'article', '双十二活动报名指南', E'报名入口在「活动」页, 价格需低于近 30 天最低价。',
     E'<p>报名入口在「活动」页, 价格需低于近 30 天最低价。</p>\n',
     '活动解读', '{活动,报名}'::text[], interval '5 hours', false),
    ('demo', 'question', '退款多久到账?', E'买家申请退款后, 钱多久退回?',
     E'<p>买家申请退款后, 钱多久退回?</p>\n', '问答', '{退款}'::text[], interval '2 hours', false)
  ) AS a (username, kind, title, md, html, category, tags, age, pinned) ON a.username = u.username;

INSERT INTO community_comments (article_id, parent_id, author_id, body, created_at)
SELECT a.id, NULL, u.id, c.body, now() - c.age
  FROM community_articles a JOIN (VALUES
    ('新店开张: 前 30 天怎么做', 'demo', '很实用, 已经照着做了', interval '2 days'),
    ('新店开张: 前 30 天怎么做', 'demo', '加微信领取更多干货 (广告)', interval '1 day'),
    ('退款多久到账?', 'demo-staff', '原路退回, 一般 1-3 个工作日到账。', interval '1 hour')
  ) AS c (title, username, body, age) ON c.title = a.title
  JOIN accounts u ON u.username = c.username;
INSERT INTO community_comments (article_id, parent_id, author_id, body, created_at)
SELECT c.article_id, c.id, u.id, '谢谢分享!', now() - interval '20 hours'
  FROM community_comments c, accounts u
 WHERE c.body = '很实用, 已经照着做了' AND u.username = 'demo-staff';
UPDATE community_articles a SET comments = (SELECT count(*) FROM community_comments c WHERE c.article_id = a.id);
UPDATE community_articles a SET accepted_comment_id = c.id
  FROM community_comments c WHERE c.article_id = a.id AND a.kind = 'question';

INSERT INTO community_likes (article_id, account_id, created_at)
SELECT a.id, u.id, now() FROM community_articles a, accounts u
 WHERE a.kind = 'article' AND u.username = 'demo';
INSERT INTO community_bookmarks (article_id, account_id, created_at)
SELECT a.id, u.id, now() - b.age FROM community_articles a, accounts u, (VALUES
    ('新店开张: 前 30 天怎么做', interval '1 hour'), ('平台发货规则更新', interval '10 minutes')
  ) AS b (title, age)
 WHERE a.title = b.title AND u.username = 'demo';
INSERT INTO community_views (article_id, account_id, day)
SELECT a.id, u.id, (now() AT TIME ZONE platform_zone())::date FROM community_articles a, accounts u
 WHERE u.username = 'demo';
UPDATE community_articles a
   SET likes = (SELECT count(*) FROM community_likes l WHERE l.article_id = a.id),
       bookmarks = (SELECT count(*) FROM community_bookmarks b WHERE b.article_id = a.id),
       views = (SELECT count(*) FROM community_views v WHERE v.article_id = a.id);
INSERT INTO community_reports (comment_id, reporter_id, reason, created_at)
SELECT c.id, u.id, '广告', now() - interval '10 hours'
  FROM community_comments c, accounts u
 WHERE c.body = '加微信领取更多干货 (广告)' AND u.username = 'demo';
SELECT community_hot_refresh(now());
-- Growth (docs/growth.md): the first shop has an auto-reply greeting, a
-- live coupon it pushed in yesterday's live room, and the history above;
-- a sweep of every shop (the job evaluate_growth does it after tasks or
-- medals change, and the first time it runs) turns that into progress on the growth tasks and the marketing starter
-- medal (营销入门勋章) with its letter. The second shop has its starter
-- checklist mostly ahead of it.
INSERT INTO auto_replies (shop_id, greeting, updated_at)
SELECT id, '您好，欢迎光临果园直供，下单后 48 小时内发货', now() FROM shops WHERE name = '果园直供';
INSERT INTO coupons (shop_id, kind, title, discount_cents, min_order_cents, total_quantity,
                     per_buyer_limit, claim_start, claim_end, valid_days, channel, created_at)
SELECT id, 'shop', '直播专享 满50减5', 500, 5000, 200, 1, now() - interval '1 day',
       now() + interval '6 days', 7, 'live', now() - interval '1 day'
  FROM shops WHERE name = '果园直供';
INSERT INTO live_rooms (shop_id, started_at, ended_at, pushed_coupon_id, pushed_at)
SELECT s.id, now() - interval '1 day', now() - interval '23 hours', c.id,
       now() - interval '1 day' + interval '10 minutes'
  FROM shops s JOIN coupons c ON c.shop_id = s.id WHERE s.name = '果园直供';
SELECT growth_sweep(now(), 1000);
-- The platform's order review (docs/architecture.md, Order review and
-- letters) in the first shop: eight days ago and yesterday demo-staff held
-- an order in the morning and released it half an hour later, so the shop
-- has its 《订单禁止发货通知》 and 《订单审核结果通知》 letters (the older ones'
-- attachments expired); an order paid an hour ago is held now, its letter
-- due on the next hour; and a buyer asked for a refund of another.
DO $$
DECLARE
  v_shop  bigint := (SELECT id FROM shops WHERE name = '果园直供');
  v_buyer bigint := (SELECT id FROM accounts WHERE username = 'demo-buyer');
  v_staff bigint := (SELECT id FROM accounts WHERE username = 'demo-staff');
  v_sku   bigint := (SELECT min(id) FROM skus WHERE shop_id = (SELECT id FROM shops WHERE name = '果园直供'));
  v_at    timestamptz;
  v_order bigint;
BEGIN
  FOREACH v_at IN ARRAY ARRAY[
      date_trunc('day', now() AT TIME ZONE platform_zone()) AT TIME ZONE platform_zone() - interval '8 days' + interval '10 hours',
      date_trunc('day', now() AT TIME ZONE platform_zone()) AT TIME ZONE platform_zone() - interval '1 day' + interval '10 hours',
      now() - interval '1 hour',
      now() - interval '50 minutes'] LOOP
    SELECT order_id INTO v_order FROM order_create(v_buyer, v_shop,
      jsonb_build_array(jsonb_build_object('sku_id', v_sku, 'quantity', 1)),
      '{"name": "赵敏", "phone": "13700002222", "province": "江苏省", "city": "南京市",
        "district": "鼓楼区", "detail": "中山路 8 号"}', '请尽快发货', v_at, v_at + interval '30 minutes');
    PERFORM order_pay(v_buyer, v_order, v_at + interval '2 minutes');
    IF v_at > now() - interval '55 minutes' THEN
      PERFORM after_sale_create(v_buyer, v_order, 'refund_only', '拍错了规格', NULL, v_at + interval '20 minutes');
    ELSIF v_at > now() - interval '2 hours' THEN
      PERFORM review_hold(v_staff, v_order, '收货信息异常，疑似刷单', '等待商家补充发货凭证', v_at + interval '5 minutes');
    ELSE
      PERFORM review_hold(v_staff, v_order, '同一地址短时间内大量下单', NULL, v_at + interval '5 minutes');
      PERFORM review_release(v_staff, v_order, '核实为正常购买，已放行', v_at + interval '30 minutes');
    END IF;
  END LOOP;
  PERFORM letters_deliver(now(), platform_zone(), 100);
END
$$;
-- A coupon of the first shop that three buyers claimed (the data page's
-- coupons), and a platform campaign in sign-up (docs/campaigns.md): the
-- first shop's grapes wait for a decision, the second shop's tissues were
-- approved.
INSERT INTO coupons (shop_id, kind, title, discount_cents, min_order_cents, total_quantity,
                     per_buyer_limit, claim_start, claim_end, valid_days, channel, created_at)
SELECT id, 'shop', '新客立减 满30减3', 300, 3000, 500, 1, now() - interval '2 days',
       now() + interval '20 days', 7, 'normal', now() - interval '2 days'
  FROM shops WHERE name = '果园直供';
SELECT coupon_claim(b.id, c.id, now() - interval '1 day' + n * interval '1 hour')
  FROM accounts b, coupons c, generate_series(1, 3) AS n
 WHERE b.username = 'demo-buyer-' || (n + 1) AND c.title = '新客立减 满30减3';
DO $$
DECLARE
  v_staff    bigint := (SELECT id FROM accounts WHERE username = 'demo-staff');
  v_campaign bigint;
  v_entry    bigint;
BEGIN
  SELECT (c.body ->> 'id')::bigint INTO v_campaign FROM campaign_create(v_staff, jsonb_build_object(
    'name', '双十二限时秒杀', 'kind', 'flash_sale',
    'signup_from', now() - interval '1 day', 'signup_to', now() + interval '2 days',
    'starts_at', now() + interval '3 days', 'ends_at', now() + interval '4 days',
    'rules', jsonb_build_object('min_discount_percent', 10, 'min_campaign_stock', 10, 'per_buyer_limit', 2,
                                'max_products_per_shop', 5, 'allow_coupons', false, 'auto_approve', false)),
    now() - interval '1 day') c;
  PERFORM campaign_entry_create(s.merchant_id, s.id, v_campaign, p.id,
            jsonb_build_array(jsonb_build_object('sku_id', k.id, 'campaign_price_cents', k.price_cents * 85 / 100,
                                                 'campaign_stock', 50)), now() - interval '3 hours')
     FROM shops s JOIN products p ON p.shop_id = s.id JOIN skus k ON k.product_id = p.id
    WHERE p.title IN ('阳光玫瑰葡萄 2斤', '加厚抽纸 24包');
  SELECT e.id INTO v_entry FROM campaign_entries e JOIN products p ON p.id = e.product_id
   WHERE e.campaign_id = v_campaign AND p.title = '加厚抽纸 24包';
  PERFORM campaign_entry_decide(v_staff, v_campaign, v_entry, true, NULL, now() - interval '1 hour');
END
$$;
-- A wholesale order of the first shop, completed nine days ago: its
-- settlement is what the demo merchant's pending withdrawal
-- (scripts/demo-api.py) draws on, above the approval threshold, so the
-- finance desk has one to decide.
INSERT INTO products (shop_id, title, description, images, status, created_at, updated_at)
SELECT id, '赣南脐橙 整车批发', '50 箱起批，产地直发', '{}', 'on_sale', now() - interval '20 days', now() - interval '20 days'
  FROM shops WHERE name = '果园直供';
INSERT INTO skus (product_id, shop_id, spec, price_cents, stock, created_at, updated_at)
SELECT id, shop_id, '整车 50 箱', 6000000, 5, now() - interval '20 days', now() - interval '20 days'
  FROM products WHERE title = '赣南脐橙 整车批发';
DO $$
DECLARE
  v_buyer bigint := (SELECT id FROM accounts WHERE username = 'demo-buyer-2');
  v_shop  bigint := (SELECT id FROM shops WHERE name = '果园直供');
  v_order bigint;
  v_at    timestamptz := now() - interval '13 days';
BEGIN
  SELECT order_id INTO v_order FROM order_create(v_buyer, v_shop,
    jsonb_build_array(jsonb_build_object('sku_id', (SELECT k.id FROM skus k JOIN products p ON p.id = k.product_id
                                                     WHERE p.title = '赣南脐橙 整车批发'), 'quantity', 1)),
    '{"name": "周经理", "phone": "13600003333", "province": "上海市", "city": "上海市",
      "district": "浦东新区", "detail": "张江路 100 号 仓库"}', '周一上午到货', v_at, v_at + interval '30 minutes');
  PERFORM order_pay(v_buyer, v_order, v_at + interval '10 minutes');
  PERFORM order_ship(v_shop, v_order, 'sf', 'SF2026BULK001', v_at + interval '1 day');
  PERFORM order_confirm_receipt(v_buyer, v_order, v_at + interval '4 days');
END
$$;
-- Paid promotion (docs/promotion.md): the first shop topped up its promotion
-- account through the sandbox and promotes its oranges on two keywords (a
-- buyer's search showed them and the click was billed) and its grapes on a
-- plan it paused.
INSERT INTO funds_topups (shop_id, account, amount_cents, provider, provider_ref, status, created_at)
SELECT id, 'promotion', 50000, 'sandbox', 'demo-promotion-topup', 'pending', now() - interval '2 days'
  FROM shops WHERE name = '果园直供';
SELECT result FROM topup_confirm('sandbox', 'demo-promotion-topup-event', 'demo-promotion-topup', 50000,
                                 now() - interval '2 days');
DO $$
DECLARE
  v_shop     bigint := (SELECT id FROM shops WHERE name = '果园直供');
  v_merchant bigint := (SELECT id FROM accounts WHERE username = 'demo');
  v_buyer    bigint := (SELECT id FROM accounts WHERE username = 'demo-buyer');
  v_win      record;
BEGIN
  PERFORM promotion_plan_write(v_merchant, v_shop, NULL, p.id, '脐橙爆款推广', 20000,
                               now() - interval '1 day', NULL, false,
                               '[{"word": "脐橙", "bid_cents": 150}, {"word": "橙子", "bid_cents": 120}]',
                               now() - interval '1 day')
     FROM products p WHERE p.title = '赣南脐橙 5斤装';
  PERFORM promotion_plan_write(v_merchant, v_shop, NULL, p.id, '葡萄新品推广', 10000,
                               now() - interval '1 day', now() + interval '30 days', false,
                               '[{"word": "葡萄", "bid_cents": 200}]', now() - interval '1 day')
     FROM products p WHERE p.title = '阳光玫瑰葡萄 2斤';
  PERFORM promotion_plan_pause(v_merchant, v_shop, pl.id, true, now())
     FROM promotion_plans pl WHERE pl.shop_id = v_shop AND pl.name = '葡萄新品推广';
  FOR v_win IN SELECT * FROM promotion_auction('脐橙', 3, now()) LOOP
    PERFORM promotion_click(v_win.impression_id, v_win.plan_id, v_win.price_cents::integer,
                            'a:' || v_buyer, v_buyer, 3, now());
  END LOOP;
END
$$;
COMMIT;
