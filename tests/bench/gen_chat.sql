-- Fills shop :shop (of merchant :merchant) with :convs conversations, one
-- per generated buyer (usernames chatbuyer<n>, the password hash of account
-- :template, so they can log in with its password), and :n text messages
-- spread over them and over the last :n seconds, for the chat benchmark.
-- The texts are drawn from a few dozen phrases of a shop's daily chat, so
-- common words (退款, 发货) match many messages; every 1,000th message also
-- carries an order number (DD<n>), which matches once. Triggers are off for
-- the bulk load (session_replication_role): the conversations' summaries
-- are filled in here, and no events are written.
SET session_replication_role = replica;
INSERT INTO accounts (role, username, display_name, password_hash, created_at)
SELECT 'buyer', 'chatbuyer' || g, '买家' || g, (SELECT password_hash FROM accounts WHERE id = :template), now()
  FROM generate_series(1, :convs) g;
INSERT INTO conversations (shop_id, merchant_id, buyer_id, created_at, last_activity_at)
SELECT :shop, :merchant, a.id, now() - interval '400 days', now() - interval '400 days'
  FROM accounts a WHERE a.username LIKE 'chatbuyer%';
CREATE TEMP TABLE convs AS
SELECT (row_number() OVER (ORDER BY id) - 1)::integer AS k, id, buyer_id
  FROM conversations WHERE shop_id = :shop;
CREATE TEMP TABLE phrases (i serial, t text);
INSERT INTO phrases (t) VALUES
  ('你好，在吗？'), ('亲，在的，请问有什么可以帮您？'), ('这个橙子什么时候发货？'),
  ('今天下单明天发货哦'), ('我想申请退款可以吗'), ('收到的橙子有几个坏了'), ('麻烦拍照给我看看'),
  ('好的，马上给您补发'), ('物流怎么一直不动'), ('已经帮您催快递了'), ('可以开发票吗'),
  ('Can I get an invoice for this order?'), ('Sure, please send your company name.'),
  ('Where is my package?'), ('It shipped yesterday with SF Express.'), ('谢谢老板'),
  ('不客气，欢迎下次光临'), ('能便宜一点吗'), ('已经是最低价了亲'), ('有没有优惠券'),
  ('店铺首页可以领券'), ('5斤装和10斤装有什么区别'), ('大果更甜一些'), ('退货地址发我一下'),
  ('请按订单页面的地址寄回'), ('什么时候到账'), ('退款会在1-3个工作日内原路返回'),
  ('好评返现还有吗'), ('质量很好，下次还来'), ('包装很用心'), ('Refund please, the box was damaged'),
  ('We are sorry, the refund is on its way'), ('100% 新鲜吗'), ('保证新鲜，坏果包赔');
INSERT INTO messages (conversation_id, shop_id, buyer_id, sender, sender_id, type, body, created_at)
SELECT c.id, :shop, c.buyer_id, CASE WHEN g % 2 = 0 THEN 'buyer' ELSE 'merchant' END,
       CASE WHEN g % 2 = 0 THEN c.buyer_id ELSE :merchant END, 'text',
       p.t || CASE WHEN g % 1000 = 0 THEN ' 订单号 DD' || lpad(g::text, 9, '0') ELSE '' END,
       now() - (:n - g) * interval '1 second'
  FROM generate_series(1, :n) g
  JOIN phrases p ON p.i = (hashint4(g) & 1023) % 34 + 1
  JOIN convs c ON c.k = (hashint4(g + 7) & 65535) % :convs;
UPDATE conversations c
   SET last_message_id = m.id, last_activity_at = m.created_at, last_preview = left(m.body, 100),
       merchant_read_up_to = m.id, buyer_read_up_to = m.id
  FROM (SELECT DISTINCT ON (conversation_id) conversation_id, id, body, created_at
          FROM messages WHERE shop_id = :shop ORDER BY conversation_id, id DESC) m
 WHERE c.id = m.conversation_id;
SET session_replication_role = DEFAULT;
VACUUM ANALYZE messages;
ANALYZE conversations;
