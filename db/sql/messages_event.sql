-- A new message is an event for both sides: the shop's merchant and the
-- buyer, or in a support conversation the merchant and the staff member
-- who claimed it (none before the claim: the queue's event tells staff).
CREATE OR REPLACE FUNCTION messages_event() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO events (kind, merchant_id, buyer_id, staff_id, shop_id, data, created_at)
  SELECT 'message.created', c.merchant_id, c.buyer_id, c.staff_id, c.shop_id,
         jsonb_build_object('conversation_id', NEW.conversation_id, 'message_id', NEW.id,
                            'sender', NEW.sender, 'type', NEW.type), NEW.created_at
    FROM conversations c WHERE c.id = NEW.conversation_id;
  RETURN NULL;
END
$$;
