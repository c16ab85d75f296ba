-- One auto-reply in answer to a buyer message, at the same time.
CREATE OR REPLACE FUNCTION auto_reply_send(p_to messages, p_text text) RETURNS void LANGUAGE sql AS $$
  INSERT INTO messages (conversation_id, shop_id, buyer_id, sender, sender_id, type, body, created_at)
  VALUES (p_to.conversation_id, p_to.shop_id, p_to.buyer_id, 'auto', NULL, 'text', p_text,
          p_to.created_at)
$$;
