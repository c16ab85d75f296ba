-- A read marker that moves is an event for both sides (the other side's
-- read receipt, the same side's other screens), dated when it moved
-- (*_read_at, set with the marker from the server's clock). A support
-- conversation's sides are the merchant and its claimer (staff_id).
CREATE OR REPLACE FUNCTION conversations_read_event() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF NEW.merchant_read_up_to > OLD.merchant_read_up_to THEN
    INSERT INTO events (kind, merchant_id, buyer_id, staff_id, shop_id, data, created_at)
    VALUES ('conversation.read', NEW.merchant_id, NEW.buyer_id, NEW.staff_id, NEW.shop_id,
            jsonb_build_object('conversation_id', NEW.id, 'reader', 'merchant',
                               'up_to_message_id', NEW.merchant_read_up_to),
            coalesce(NEW.merchant_read_at, now()));
  END IF;
  IF NEW.buyer_read_up_to > OLD.buyer_read_up_to THEN
    INSERT INTO events (kind, merchant_id, buyer_id, shop_id, data, created_at)
    VALUES ('conversation.read', NEW.merchant_id, NEW.buyer_id, NEW.shop_id,
            jsonb_build_object('conversation_id', NEW.id, 'reader', 'buyer',
                               'up_to_message_id', NEW.buyer_read_up_to),
            coalesce(NEW.buyer_read_at, now()));
  END IF;
  IF NEW.staff_read_up_to > OLD.staff_read_up_to THEN
    INSERT INTO events (kind, merchant_id, staff_id, shop_id, data, created_at)
    VALUES ('conversation.read', NEW.merchant_id, NEW.staff_id, NEW.shop_id,
            jsonb_build_object('conversation_id', NEW.id, 'reader', 'staff',
                               'up_to_message_id', NEW.staff_read_up_to),
            coalesce(NEW.staff_read_at, now()));
  END IF;
  RETURN NULL;
END
$$;
