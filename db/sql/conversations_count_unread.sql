-- The shop's badge of buyer conversations with unread buyer messages
-- (support conversations are not the shop's customer service).
CREATE OR REPLACE FUNCTION conversations_count_unread() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF NEW.kind <> 'buyer' THEN
    RETURN NULL;
  END IF;
  IF TG_OP = 'INSERT' THEN
    IF NEW.merchant_unread > 0 THEN
      PERFORM order_count(NEW.shop_id, 'unread_conversations', 1);
    END IF;
  ELSIF (NEW.merchant_unread > 0) <> (OLD.merchant_unread > 0) THEN
    PERFORM order_count(NEW.shop_id, 'unread_conversations',
                        CASE WHEN NEW.merchant_unread > 0 THEN 1 ELSE -1 END);
  END IF;
  RETURN NULL;
END
$$;
