-- pgbench -f: the INSERT behind POST /v1/conversations/{id}/messages, with
-- the same triggers (conversation summary, event, auto-reply check), into a
-- random conversation of :lo..:hi.
\set c random(:lo, :hi)
INSERT INTO messages (conversation_id, shop_id, buyer_id, sender, sender_id, type, body, created_at)
SELECT c.id, c.shop_id, c.buyer_id, 'merchant', c.merchant_id, 'text', '亲，今天下单明天发货哦', now()
  FROM conversations c WHERE c.id = :c;
