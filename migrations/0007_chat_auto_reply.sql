-- Auto-replies: a shop's greeting, keyword rules and away message, and the
-- triggers that answer buyers with them (messages with sender 'auto').

-- One row per shop that has ever set its auto-replies; no row is all off.
-- keyword_rules is [{"keyword", "reply"}, ...] in the merchant's order (the
-- first match wins); away_hours is [{"weekday" 1-7 (Monday 1), "open",
-- "close" ("HH:MM", close may be "24:00")}, ...] in the platform time zone.
CREATE TABLE auto_replies (
  shop_id       bigint PRIMARY KEY REFERENCES shops (id),
  greeting      text CHECK (char_length(greeting) BETWEEN 1 AND 500),
  keyword_rules jsonb NOT NULL DEFAULT '[]' CHECK (jsonb_typeof(keyword_rules) = 'array'),
  away_message  text CHECK (char_length(away_message) BETWEEN 1 AND 500),
  away_hours    jsonb NOT NULL DEFAULT '[]' CHECK (jsonb_typeof(away_hours) = 'array'),
  updated_at    timestamptz NOT NULL
);
COMMENT ON TABLE auto_replies IS 'a shop''s auto-replies: greeting (NULL: off), keyword rules (empty: off), away message (NULL: off) with its weekly business hours';

-- The platform time zone (MERCHANTD_TZ): merchantd sets merchantd.tz on
-- its connections; anything else (psql, a script) gets the default.
CREATE FUNCTION auto_reply_zone() RETURNS text STABLE LANGUAGE sql AS $$
  SELECT coalesce(nullif(current_setting('merchantd.tz', true), ''), 'Asia/Shanghai')
$$;

-- Whether p_at falls within one of the weekly business hours.
CREATE FUNCTION auto_reply_open_at(p_hours jsonb, p_at timestamptz) RETURNS boolean
STABLE LANGUAGE sql AS $$
  SELECT EXISTS (
    SELECT 1
      FROM (SELECT p_at AT TIME ZONE auto_reply_zone() AS t) l,
           jsonb_array_elements(p_hours) h
     WHERE (h->>'weekday')::integer = extract(isodow FROM l.t)
       AND (h->>'open')::time <= l.t::time AND l.t::time < (h->>'close')::time)
$$;

-- One auto-reply in answer to a buyer message, at the same time.
CREATE FUNCTION auto_reply_send(p_to messages, p_text text) RETURNS void LANGUAGE sql AS $$
  INSERT INTO messages (conversation_id, shop_id, buyer_id, sender, sender_id, type, body, created_at)
  VALUES (p_to.conversation_id, p_to.shop_id, p_to.buyer_id, 'auto', NULL, 'text', p_text,
          p_to.created_at)
$$;

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
CREATE FUNCTION messages_auto_reply() RETURNS trigger LANGUAGE plpgsql AS $$
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
-- Auto messages never answer themselves: only buyer messages fire it.
CREATE TRIGGER messages_zz_auto_reply AFTER INSERT ON messages
  FOR EACH ROW WHEN (NEW.sender = 'buyer') EXECUTE FUNCTION messages_auto_reply();

-- A buyer opening a conversation is greeted at once (conversations are
-- only created by their buyer). Named to fire after 0005's triggers.
CREATE FUNCTION conversations_greet() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO messages (conversation_id, shop_id, buyer_id, sender, sender_id, type, body, created_at)
  SELECT NEW.id, NEW.shop_id, NEW.buyer_id, 'auto', NULL, 'text', a.greeting, NEW.created_at
    FROM auto_replies a
   WHERE a.shop_id = NEW.shop_id AND a.greeting IS NOT NULL;
  RETURN NULL;
END
$$;
CREATE TRIGGER conversations_zz_greet AFTER INSERT ON conversations
  FOR EACH ROW EXECUTE FUNCTION conversations_greet();

-- Adding a quick reply counts the shop's live ones under the shop row's
-- lock, so two concurrent adds cannot both pass the cap. Returns 'ok' and
-- the new id, 'not_found' (no such shop of the merchant) or
-- 'quick_reply_limit'.
CREATE FUNCTION quick_reply_add(p_merchant bigint, p_shop bigint, p_text text, p_group text,
                                p_position integer, p_max integer, p_now timestamptz,
                                OUT code text, OUT id bigint)
LANGUAGE plpgsql AS $$
BEGIN
  PERFORM 1 FROM shops s WHERE s.id = p_shop AND s.merchant_id = p_merchant FOR NO KEY UPDATE;
  IF NOT FOUND THEN
    code := 'not_found';
    RETURN;
  END IF;
  IF (SELECT count(*) FROM quick_replies q
       WHERE q.shop_id = p_shop AND q.deleted_at IS NULL) >= p_max THEN
    code := 'quick_reply_limit';
    RETURN;
  END IF;
  INSERT INTO quick_replies (shop_id, text, group_name, position, created_at, updated_at)
  VALUES (p_shop, p_text, p_group, p_position, p_now, p_now)
  RETURNING quick_replies.id INTO id;
  code := 'ok';
END
$$;
