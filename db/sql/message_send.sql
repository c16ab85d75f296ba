-- Sends a message into a conversation the caller is a party of; the side
-- (buyer or merchant) is the caller's. The triggers on messages then update
-- the conversation and write the event. Returns 'ok' with the message, or
-- 'not_found' (no such conversation of the caller), or 'invalid_field'
-- with the field the problem is in: a quick reply that is not a live one
-- of this shop (or sent by the buyer), a product that is not one the
-- sender may show, an order that is not this buyer's in this shop.
-- p_type text takes p_body or p_quick_reply; image p_body (the URL) or
-- p_image, an image of the sender's space (the shop's for the merchant,
-- the buyer's own for the buyer), shown by its 800 px rendition;
-- product_card and products_card p_products; order_card p_order.
-- A buyer's product cards show only products on sale (an off-sale product
-- is hidden from buyers everywhere else, so a card must not reveal it); the
-- merchant may send any live product of the shop.
-- In a support conversation the sides are the merchant and the staff
-- member who claimed it (staff_id); only text and images are sent there
-- ('invalid_field' on type), the staff's images by URL (they have no image
-- space), and nothing once it is closed ('invalid_state'); a staff member
-- who released it is no longer a side ('not_found').
CREATE OR REPLACE FUNCTION message_send(p_caller bigint, p_conv bigint, p_type text, p_body text,
                             p_quick_reply bigint, p_products bigint[], p_order bigint,
                             p_now timestamptz, p_image bigint)
RETURNS TABLE (result text, field text, message_id bigint, sender text, body text, card jsonb,
               created_at timestamptz) LANGUAGE plpgsql AS $$
DECLARE
  c        conversations;
  v_sender text;
  v_body   text := coalesce(p_body, '');
  v_card   jsonb;
  v_bad    integer;
  v_sha    text;
BEGIN
  SELECT * INTO c FROM conversations x
   WHERE x.id = p_conv
     AND (x.merchant_id = p_caller OR x.buyer_id = p_caller OR x.staff_id = p_caller);
  IF FOUND AND c.kind = 'support' THEN
    -- A support conversation's sides and state change (claim, release,
    -- close): read it again under its row lock, so that a message is never
    -- stored after the release or close it raced with.
    SELECT * INTO c FROM conversations x
     WHERE x.id = p_conv AND (x.merchant_id = p_caller OR x.staff_id = p_caller)
       FOR NO KEY UPDATE;
  END IF;
  IF NOT FOUND THEN
    RETURN QUERY SELECT 'not_found', NULL::text, NULL::bigint, NULL::text, NULL::text,
                        NULL::jsonb, NULL::timestamptz;
    RETURN;
  END IF;
  v_sender := CASE WHEN c.merchant_id = p_caller THEN 'merchant'
                   WHEN c.staff_id = p_caller THEN 'staff' ELSE 'buyer' END;
  IF c.kind = 'support' AND (p_type NOT IN ('text', 'image') OR p_quick_reply IS NOT NULL
                             OR (v_sender = 'staff' AND p_image IS NOT NULL)) THEN
    RETURN QUERY SELECT 'invalid_field',
                        CASE WHEN p_quick_reply IS NOT NULL THEN 'quick_reply_id'
                             WHEN p_image IS NOT NULL THEN 'image_id' ELSE 'type' END,
                        NULL::bigint, NULL::text, NULL::text, NULL::jsonb, NULL::timestamptz;
    RETURN;
  END IF;
  IF c.closed_at IS NOT NULL THEN
    RETURN QUERY SELECT 'invalid_state', NULL::text, NULL::bigint, NULL::text, NULL::text,
                        NULL::jsonb, NULL::timestamptz;
    RETURN;
  END IF;

  IF p_quick_reply IS NOT NULL THEN
    SELECT q.text INTO v_body FROM quick_replies q
     WHERE q.id = p_quick_reply AND q.shop_id = c.shop_id AND q.deleted_at IS NULL
       AND v_sender = 'merchant';
    IF NOT FOUND THEN
      RETURN QUERY SELECT 'invalid_field', 'quick_reply_id', NULL::bigint, NULL::text,
                          NULL::text, NULL::jsonb, NULL::timestamptz;
      RETURN;
    END IF;
  ELSIF p_image IS NOT NULL THEN
    -- The entry is locked until the message commits: deleting it waits, so
    -- the collector, which spares what a message names, never sees the
    -- picture named by neither (an entry deleted first is not found here).
    SELECT i.sha256 INTO v_sha FROM images i JOIN image_spaces sp ON sp.id = i.space_id
     WHERE i.id = p_image
       AND CASE WHEN v_sender = 'merchant' THEN sp.shop_id = c.shop_id
                ELSE sp.buyer_id = c.buyer_id END
       FOR KEY SHARE OF i;
    IF NOT FOUND THEN
      RETURN QUERY SELECT 'invalid_field', 'image_id', NULL::bigint, NULL::text, NULL::text,
                          NULL::jsonb, NULL::timestamptz;
      RETURN;
    END IF;
    v_body := '/media/' || v_sha || '_800.webp';
  ELSIF p_type IN ('product_card', 'products_card') THEN
    -- The first id (by position) that is not a product of this shop the
    -- sender may show: a live one for the merchant, on sale for the buyer.
    SELECT min(i.n) INTO v_bad FROM unnest(p_products) WITH ORDINALITY i (id, n)
     WHERE NOT EXISTS (SELECT 1 FROM products p WHERE p.id = i.id AND p.shop_id = c.shop_id
                                                 AND p.deleted_at IS NULL
                                                 AND (v_sender = 'merchant'
                                                      OR p.status = 'on_sale'));
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
                             card, image_sha256, created_at)
  VALUES (c.id, c.shop_id, c.buyer_id, v_sender, p_caller, p_type, v_body, v_card, v_sha, p_now)
  RETURNING 'ok'::text, NULL::text, m.id, m.sender, m.body, m.card, m.created_at;
END
$$;
