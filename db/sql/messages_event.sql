-- A new message is an event for both sides.
CREATE OR REPLACE FUNCTION messages_event() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO events (kind, merchant_id, buyer_id, shop_id, data, created_at)
  SELECT 'message.created', c.merchant_id, c.buyer_id, c.shop_id,
         jsonb_build_object('conversation_id', NEW.conversation_id, 'message_id', NEW.id,
                            'sender', NEW.sender, 'type', NEW.type), NEW.created_at
    FROM conversations c WHERE c.id = NEW.conversation_id;
  RETURN NULL;
END
$$;
