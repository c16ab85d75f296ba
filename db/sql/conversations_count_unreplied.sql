-- Named to fire after 0005's conversations_count_unread: every transaction
-- that changes both counters takes their rows in the same order.
CREATE OR REPLACE FUNCTION conversations_count_unreplied() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF NEW.kind <> 'buyer' THEN
    RETURN NULL; -- the shop's counts are of its buyer conversations
  END IF;
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
