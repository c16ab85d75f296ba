-- Answers a buyer message: the greeting when the conversation was silent
-- for 24 hours (or this is its first message), the first keyword rule the
-- text contains, the away message outside business hours; in that order.
-- The away message is not repeated while an earlier one (of the last 24
-- hours) still stands unanswered by the merchant: a buyer writing five
-- lines at night gets it once.
--
-- The trigger is named to fire after every other AFTER INSERT trigger on
-- messages (PostgreSQL fires them in name order): the buyer message has
-- then updated its conversation (whose row lock makes two buyer messages
-- of one conversation take turns here) and written its event, so the
-- auto-replies follow it in the conversation summary and the event stream.
-- The 24-hour check reads the messages themselves, not the summary.
CREATE OR REPLACE FUNCTION messages_auto_reply() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  a auto_replies;
  v_reply text;
BEGIN
  SELECT * INTO a FROM auto_replies WHERE shop_id = NEW.shop_id;
  IF NOT FOUND THEN
    RETURN NULL;
  END IF;
  IF a.greeting IS NOT NULL AND NOT EXISTS (
      SELECT 1 FROM messages m
       WHERE m.conversation_id = NEW.conversation_id AND m.id <> NEW.id
         AND m.created_at > NEW.created_at - interval '24 hours') THEN
    PERFORM auto_reply_send(NEW, a.greeting);
  END IF;
  IF NEW.type = 'text' THEN
    SELECT k.r->>'reply' INTO v_reply
      FROM jsonb_array_elements(a.keyword_rules) WITH ORDINALITY k (r, i)
     WHERE strpos(lower(NEW.body), lower(k.r->>'keyword')) > 0
     ORDER BY k.i LIMIT 1;
    IF v_reply IS NOT NULL THEN
      PERFORM auto_reply_send(NEW, v_reply);
    END IF;
  END IF;
  IF a.away_message IS NOT NULL AND jsonb_array_length(a.away_hours) > 0
     AND NOT auto_reply_open_at(a.away_hours, NEW.created_at)
     AND NOT EXISTS (
       SELECT 1 FROM messages m
        WHERE m.conversation_id = NEW.conversation_id AND m.sender = 'auto'
          AND m.body = a.away_message AND m.created_at > NEW.created_at - interval '24 hours'
          AND m.id > coalesce((SELECT max(x.id) FROM messages x
                                WHERE x.conversation_id = NEW.conversation_id
                                  AND x.sender = 'merchant'), 0)) THEN
    PERFORM auto_reply_send(NEW, a.away_message);
  END IF;
  RETURN NULL;
END
$$;
