-- Chat conversations and messages: the operations behind the routes
-- (open, send, read) and the counts of the merchant's conversation list.

-- The list's three counts (all, unread, unreplied) are counter tabs like
-- the order tabs: one primary key read per list request however many
-- conversations a shop has. unread_conversations is 0005's; this adds the
-- other two. (The list is 0005's with conversations and
-- unreplied_conversations added.)
ALTER TABLE shop_order_counts DROP CONSTRAINT shop_order_counts_tab_check,
  ADD CONSTRAINT shop_order_counts_tab_check
    CHECK (tab IN ('unpaid', 'paid', 'shipped', 'completed', 'closed', 'after_sales',
                   'under_review', 'unread_letters', 'unread_conversations',
                   'conversations', 'unreplied_conversations'));

-- Named to fire after 0005's conversations_count_unread: every transaction
-- that changes both counters takes their rows in the same order.
CREATE FUNCTION conversations_count_unreplied() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'INSERT' THEN
    PERFORM order_count(NEW.shop_id, 'conversations', 1);
    IF NEW.awaiting_reply THEN
      PERFORM order_count(NEW.shop_id, 'unreplied_conversations', 1);
    END IF;
  ELSIF NEW.awaiting_reply <> OLD.awaiting_reply THEN
    PERFORM order_count(NEW.shop_id, 'unreplied_conversations',
                        CASE WHEN NEW.awaiting_reply THEN 1 ELSE -1 END);
  END IF;
  RETURN NULL;
END
$$;
CREATE TRIGGER conversations_count_unreplied AFTER INSERT OR UPDATE OF awaiting_reply
  ON conversations FOR EACH ROW EXECUTE FUNCTION conversations_count_unreplied();

-- A conversation as the API shows it: with the buyer's name and what its
-- last message is. Lists read it by keyset over the conversations indexes.
CREATE VIEW conversation_view AS
  SELECT c.id, c.shop_id, c.merchant_id, c.buyer_id, b.display_name AS buyer_name,
         c.last_message_id, m.type AS last_type, m.sender AS last_sender, c.last_preview,
         m.created_at AS last_created_at, c.last_activity_at, c.merchant_unread,
         c.buyer_unread, c.awaiting_reply, c.created_at
    FROM conversations c
    JOIN accounts b ON b.id = c.buyer_id
    LEFT JOIN messages m ON m.id = c.last_message_id;
COMMENT ON VIEW conversation_view IS 'a conversation with its buyer''s name and last message, as lists and replies show it';

-- The conversation as a statement that just changed it left it: this
-- VOLATILE function takes a fresh snapshot (see order_fresh in 0002), so
-- "FROM conversation_open(...) r LEFT JOIN LATERAL conversation_fresh(...)"
-- answers in one round trip.
CREATE FUNCTION conversation_fresh(p_id bigint) RETURNS SETOF conversation_view
VOLATILE ROWS 1 LANGUAGE plpgsql AS $$
BEGIN
  RETURN QUERY SELECT * FROM conversation_view WHERE id = p_id;
END
$$;

-- Gets or creates the buyer's conversation with a shop: 'not_found' when
-- there is no such shop. The unique (shop_id, buyer_id) key settles races:
-- of two concurrent calls one inserts, the other waits for it and reads
-- the row it committed.
CREATE FUNCTION conversation_open(p_buyer bigint, p_shop bigint, p_now timestamptz)
RETURNS TABLE (result text, conversation_id bigint, created boolean) LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO conversations (shop_id, merchant_id, buyer_id, created_at, last_activity_at)
  SELECT s.id, s.merchant_id, p_buyer, p_now, p_now FROM shops s WHERE s.id = p_shop
  ON CONFLICT (shop_id, buyer_id) DO NOTHING
  RETURNING id INTO conversation_id;
  IF conversation_id IS NOT NULL THEN
    RETURN QUERY SELECT 'ok', conversation_id, true;
    RETURN;
  END IF;
  SELECT c.id INTO conversation_id FROM conversations c
   WHERE c.shop_id = p_shop AND c.buyer_id = p_buyer;
  IF conversation_id IS NULL THEN
    RETURN QUERY SELECT 'not_found', NULL::bigint, false;
  ELSE
    RETURN QUERY SELECT 'ok', conversation_id, false;
  END IF;
END
$$;

-- The snapshot a product card keeps: title, lowest SKU price (NULL when it
-- has no SKU), first image.
CREATE FUNCTION chat_product_snapshot(p products) RETURNS jsonb STABLE LANGUAGE sql AS $$
  SELECT jsonb_build_object('product_id', p.id, 'title', p.title,
                            'price_cents', (SELECT min(k.price_cents) FROM skus k
                                             WHERE k.product_id = p.id),
                            'image', p.images[1])
$$;

-- Sends a message into a conversation the caller is a party of; the side
-- (buyer or merchant) is the caller's. The triggers of 0005 then update
-- the conversation and write the event. Returns 'ok' with the message, or
-- 'not_found' (no such conversation of the caller), or 'invalid_field'
-- with the field the problem is in: a quick reply that is not a live one
-- of this shop (or sent by the buyer), a product that is not a live one of
-- this shop, an order that is not this buyer's in this shop.
-- p_type text takes p_body or p_quick_reply; image p_body (the URL);
-- product_card and products_card p_products; order_card p_order.
CREATE FUNCTION message_send(p_caller bigint, p_conv bigint, p_type text, p_body text,
                             p_quick_reply bigint, p_products bigint[], p_order bigint,
                             p_now timestamptz)
RETURNS TABLE (result text, field text, message_id bigint, sender text, body text, card jsonb,
               created_at timestamptz) LANGUAGE plpgsql AS $$
DECLARE
  c        conversations;
  v_sender text;
  v_body   text := coalesce(p_body, '');
  v_card   jsonb;
  v_bad    integer;
BEGIN
  SELECT * INTO c FROM conversations x
   WHERE x.id = p_conv AND (x.merchant_id = p_caller OR x.buyer_id = p_caller);
  IF NOT FOUND THEN
    RETURN QUERY SELECT 'not_found', NULL::text, NULL::bigint, NULL::text, NULL::text,
                        NULL::jsonb, NULL::timestamptz;
    RETURN;
  END IF;
  v_sender := CASE WHEN c.merchant_id = p_caller THEN 'merchant' ELSE 'buyer' END;

  IF p_quick_reply IS NOT NULL THEN
    SELECT q.text INTO v_body FROM quick_replies q
     WHERE q.id = p_quick_reply AND q.shop_id = c.shop_id AND q.deleted_at IS NULL
       AND v_sender = 'merchant';
    IF NOT FOUND THEN
      RETURN QUERY SELECT 'invalid_field', 'quick_reply_id', NULL::bigint, NULL::text,
                          NULL::text, NULL::jsonb, NULL::timestamptz;
      RETURN;
    END IF;
  ELSIF p_type IN ('product_card', 'products_card') THEN
    -- The first id (by position) that is not a live product of this shop.
    SELECT min(i.n) INTO v_bad FROM unnest(p_products) WITH ORDINALITY i (id, n)
     WHERE NOT EXISTS (SELECT 1 FROM products p WHERE p.id = i.id AND p.shop_id = c.shop_id
                                                 AND p.deleted_at IS NULL);
    IF v_bad IS NOT NULL THEN
      RETURN QUERY SELECT 'invalid_field',
                          CASE WHEN p_type = 'product_card' THEN 'product_id'
                               ELSE 'product_ids[' || (v_bad - 1) || ']' END,
                          NULL::bigint, NULL::text, NULL::text, NULL::jsonb, NULL::timestamptz;
      RETURN;
    END IF;
    SELECT jsonb_agg(chat_product_snapshot(p) ORDER BY i.n) INTO v_card
      FROM unnest(p_products) WITH ORDINALITY i (id, n) JOIN products p ON p.id = i.id;
    v_card := CASE WHEN p_type = 'product_card' THEN v_card -> 0
                   ELSE jsonb_build_object('products', v_card) END;
  ELSIF p_type = 'order_card' THEN
    SELECT jsonb_build_object('order_id', o.id, 'order_sn', o.order_sn, 'status', o.status,
                              'total_cents', o.total_cents, 'title', o.items -> 0 ->> 'title',
                              'image', o.items -> 0 -> 'image')
      INTO v_card FROM orders o
     WHERE o.id = p_order AND o.shop_id = c.shop_id AND o.buyer_id = c.buyer_id;
    IF NOT FOUND THEN
      RETURN QUERY SELECT 'invalid_field', 'order_id', NULL::bigint, NULL::text, NULL::text,
                          NULL::jsonb, NULL::timestamptz;
      RETURN;
    END IF;
  END IF;

  RETURN QUERY
  INSERT INTO messages AS m (conversation_id, shop_id, buyer_id, sender, sender_id, type, body,
                             card, created_at)
  VALUES (c.id, c.shop_id, c.buyer_id, v_sender, p_caller, p_type, v_body, v_card, p_now)
  RETURNING 'ok'::text, NULL::text, m.id, m.sender, m.body, m.card, m.created_at;
END
$$;

-- Moves the caller's side's read marker forward to p_up_to (never back),
-- dating the move p_now (the server's clock; 0005's read event takes it),
-- and recounts that side's unread messages after it: the buyer's for the
-- merchant, the merchant's and auto-replies for the buyer. 'not_found'
-- when the conversation is not the caller's, 'invalid_field' when p_up_to
-- is not a message of it. The row is locked first, so that the count sees
-- every message whose trigger updated the row before; later ones wait for
-- this transaction and add to the count it wrote. (NO KEY UPDATE: a
-- message insert holds KEY SHARE on the row through its foreign key.)
CREATE FUNCTION conversation_read(p_caller bigint, p_conv bigint, p_up_to bigint,
                                  p_now timestamptz)
RETURNS text LANGUAGE plpgsql AS $$
DECLARE
  c        conversations;
  v_marker bigint;
BEGIN
  SELECT * INTO c FROM conversations x
   WHERE x.id = p_conv AND (x.merchant_id = p_caller OR x.buyer_id = p_caller)
     FOR NO KEY UPDATE;
  IF NOT FOUND THEN
    RETURN 'not_found';
  END IF;
  PERFORM 1 FROM messages m WHERE m.id = p_up_to AND m.conversation_id = p_conv;
  IF NOT FOUND THEN
    RETURN 'invalid_field';
  END IF;
  IF c.merchant_id = p_caller THEN
    v_marker := greatest(c.merchant_read_up_to, p_up_to);
    UPDATE conversations x
       SET merchant_read_up_to = v_marker,
           merchant_read_at = CASE WHEN v_marker > x.merchant_read_up_to THEN p_now
                                   ELSE x.merchant_read_at END,
           merchant_unread = (SELECT count(*) FROM messages m
                               WHERE m.conversation_id = p_conv AND m.id > v_marker
                                 AND m.sender = 'buyer')
     WHERE x.id = p_conv;
  ELSE
    v_marker := greatest(c.buyer_read_up_to, p_up_to);
    UPDATE conversations x
       SET buyer_read_up_to = v_marker,
           buyer_read_at = CASE WHEN v_marker > x.buyer_read_up_to THEN p_now
                                ELSE x.buyer_read_at END,
           buyer_unread = (SELECT count(*) FROM messages m
                            WHERE m.conversation_id = p_conv AND m.id > v_marker
                              AND m.sender <> 'buyer')
     WHERE x.id = p_conv;
  END IF;
  RETURN 'ok';
END
$$;
