-- A buyer opening a conversation is greeted at once (buyer conversations
-- are only created by their buyer; support ones are not greeted). Named to
-- fire after 0005's triggers.
CREATE OR REPLACE FUNCTION conversations_greet() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO messages (conversation_id, shop_id, buyer_id, sender, sender_id, type, body, created_at)
  SELECT NEW.id, NEW.shop_id, NEW.buyer_id, 'auto', NULL, 'text', a.greeting, NEW.created_at
    FROM auto_replies a
   WHERE a.shop_id = NEW.shop_id AND a.greeting IS NOT NULL AND NEW.kind = 'buyer';
  RETURN NULL;
END
$$;
