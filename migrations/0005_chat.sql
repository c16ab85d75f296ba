-- Buyer-merchant chat: one conversation per (shop, buyer), its messages,
-- and the event stream that carries them to connected clients.

-- A conversation keeps, beside its two parties, what its lists show and
-- filter on: the last message, each side's read marker and unread count,
-- and whether the buyer waits for a reply. Messages keep these up to date
-- through the triggers below, whoever writes them.
CREATE TABLE conversations (
  id                  bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  shop_id             bigint NOT NULL REFERENCES shops (id),
  merchant_id         bigint NOT NULL REFERENCES accounts (id),
  buyer_id            bigint NOT NULL REFERENCES accounts (id),
  created_at          timestamptz NOT NULL,
  last_message_id     bigint,
  last_activity_at    timestamptz NOT NULL,
  last_preview        text NOT NULL DEFAULT '',
  last_buyer_message_at timestamptz,
  merchant_read_up_to bigint NOT NULL DEFAULT 0,
  buyer_read_up_to    bigint NOT NULL DEFAULT 0,
  merchant_read_at    timestamptz,
  buyer_read_at       timestamptz,
  merchant_unread     integer NOT NULL DEFAULT 0 CHECK (merchant_unread >= 0),
  buyer_unread        integer NOT NULL DEFAULT 0 CHECK (buyer_unread >= 0),
  awaiting_reply      boolean NOT NULL DEFAULT false,
  UNIQUE (shop_id, buyer_id)
);
COMMENT ON TABLE conversations IS 'one per shop and buyer; the last message, read markers, unread counts and awaiting_reply are kept by triggers on messages';
COMMENT ON COLUMN conversations.merchant_id IS 'the shop''s owner (shops never change hands): authorises without reading the shop';
COMMENT ON COLUMN conversations.merchant_unread IS 'buyer messages after merchant_read_up_to';
COMMENT ON COLUMN conversations.buyer_unread IS 'merchant and auto messages after buyer_read_up_to';
COMMENT ON COLUMN conversations.awaiting_reply IS 'the last message that was not an auto-reply is the buyer''s';
-- The shop's lists, by last activity: all, unread, unreplied.
CREATE INDEX conversations_shop_activity ON conversations (shop_id, last_activity_at, id);
CREATE INDEX conversations_shop_unread ON conversations (shop_id, last_activity_at, id)
  WHERE merchant_unread > 0;
CREATE INDEX conversations_shop_unreplied ON conversations (shop_id, last_activity_at, id)
  WHERE awaiting_reply;
CREATE INDEX conversations_buyer_activity ON conversations (buyer_id, last_activity_at, id);

-- The search index of a text: every character and every pair of adjacent
-- characters, lower-cased. Two-character grams find Chinese words (退款 in
-- 我想申请退款可以吗) whatever the collation, which trigram indexes with
-- word boundaries do not; a query's grams must all be present, then the
-- text is checked for the whole query (see chat_search in 0009).
CREATE FUNCTION chat_grams(p_text text) RETURNS text[]
IMMUTABLE STRICT PARALLEL SAFE LANGUAGE sql AS $$
  SELECT coalesce(array_agg(DISTINCT g), '{}')
    FROM (SELECT substr(t, i, n) AS g
            FROM (SELECT lower(p_text) AS t) l,
                 generate_series(1, char_length(l.t)) i,
                 (VALUES (1), (2)) k (n)
           WHERE i + n - 1 <= char_length(l.t)) grams
   WHERE g !~ '^\s+$'
$$;

CREATE TABLE messages (
  id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  conversation_id bigint NOT NULL REFERENCES conversations (id),
  shop_id         bigint NOT NULL REFERENCES shops (id),
  buyer_id        bigint NOT NULL REFERENCES accounts (id),
  sender          text NOT NULL CHECK (sender IN ('buyer', 'merchant', 'auto')),
  sender_id       bigint REFERENCES accounts (id),
  type            text NOT NULL CHECK (type IN ('text', 'image', 'product_card', 'products_card', 'order_card')),
  body            text NOT NULL DEFAULT '',
  card            jsonb,
  created_at      timestamptz NOT NULL,
  grams           text[] GENERATED ALWAYS AS (CASE WHEN type = 'text' THEN chat_grams(body) END) STORED,
  CHECK ((sender = 'auto') = (sender_id IS NULL)),
  CHECK (type <> 'text' OR char_length(body) BETWEEN 1 AND 2000),
  CHECK ((type IN ('text', 'image')) = (card IS NULL))
);
COMMENT ON TABLE messages IS 'chat messages; body is the text (text) or the URL (image); card is the snapshot (title, price, image) of the products or order a card shows, taken when sent';
CREATE INDEX messages_conversation ON messages (conversation_id, id);
-- Search over a shop's whole history (chat_search in 0009).
CREATE INDEX messages_grams ON messages USING gin (grams) WHERE type = 'text';
CREATE INDEX messages_shop ON messages (shop_id, id);

-- Every message keeps its conversation's summary: the last message and
-- activity, the other side's unread count, awaiting_reply (auto-replies
-- never count as the merchant having replied).
CREATE FUNCTION messages_keep_conversation() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  UPDATE conversations c
     SET last_message_id = NEW.id,
         last_activity_at = NEW.created_at,
         last_preview = CASE NEW.type WHEN 'text' THEN left(NEW.body, 100)
                                      WHEN 'image' THEN '[图片]'
                                      WHEN 'order_card' THEN '[订单]'
                                      ELSE '[商品]' END,
         last_buyer_message_at = CASE WHEN NEW.sender = 'buyer' THEN NEW.created_at
                                      ELSE c.last_buyer_message_at END,
         merchant_unread = c.merchant_unread + (NEW.sender = 'buyer')::integer,
         buyer_unread = c.buyer_unread + (NEW.sender <> 'buyer')::integer,
         awaiting_reply = CASE NEW.sender WHEN 'buyer' THEN true WHEN 'merchant' THEN false
                                          ELSE c.awaiting_reply END
   WHERE c.id = NEW.conversation_id;
  RETURN NULL;
END
$$;
CREATE TRIGGER messages_conversation AFTER INSERT ON messages
  FOR EACH ROW EXECUTE FUNCTION messages_keep_conversation();

-- The event stream. An event goes to the shop's merchant, the buyer, or
-- both (merchant_id / buyer_id NULL: not to that side). Its id is a
-- position like the ERP feed's change_seq: the transaction id shifted left
-- 20 bits plus a count within the transaction, so an event a reader hands
-- out (xid below its snapshot's xmin) sorts before every event still to
-- commit; readers hold back events of transactions that may still commit.
CREATE TABLE events (
  id          bigint PRIMARY KEY,
  xid         xid8 NOT NULL,
  kind        text NOT NULL,
  merchant_id bigint REFERENCES accounts (id),
  buyer_id    bigint REFERENCES accounts (id),
  shop_id     bigint REFERENCES shops (id),
  data        jsonb NOT NULL,
  created_at  timestamptz NOT NULL,
  CHECK (merchant_id IS NOT NULL OR buyer_id IS NOT NULL)
);
COMMENT ON TABLE events IS 'what clients of /v1/events receive, replayed from here after a reconnect; id is (xid << 20) | n, see events_position';
CREATE INDEX events_merchant ON events (merchant_id, id) WHERE merchant_id IS NOT NULL;
CREATE INDEX events_buyer ON events (buyer_id, id) WHERE buyer_id IS NOT NULL;
CREATE INDEX events_created ON events (created_at);

-- Sets an event's position and wakes the listening instances: the payload
-- names the two audiences, each instance wakes its waiting clients of
-- those accounts, and they read the events from the table.
CREATE FUNCTION events_position() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  v_n integer;
BEGIN
  v_n := coalesce(nullif(current_setting('merchantd.event_count', true), ''), '0')::integer;
  IF v_n >= 1048576 THEN
    RAISE EXCEPTION 'too many events in one transaction' USING ERRCODE = 'program_limit_exceeded';
  END IF;
  PERFORM set_config('merchantd.event_count', (v_n + 1)::text, true);
  NEW.xid := pg_current_xact_id();
  NEW.id := (NEW.xid::text::bigint << 20) | v_n;
  PERFORM pg_notify('merchantd_events',
                    coalesce(NEW.merchant_id::text, '') || ' ' || coalesce(NEW.buyer_id::text, ''));
  RETURN NEW;
END
$$;
CREATE TRIGGER events_position BEFORE INSERT ON events
  FOR EACH ROW EXECUTE FUNCTION events_position();

-- A new message is an event for both sides.
CREATE FUNCTION messages_event() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO events (kind, merchant_id, buyer_id, shop_id, data, created_at)
  SELECT 'message.created', c.merchant_id, c.buyer_id, c.shop_id,
         jsonb_build_object('conversation_id', NEW.conversation_id, 'message_id', NEW.id,
                            'sender', NEW.sender, 'type', NEW.type), NEW.created_at
    FROM conversations c WHERE c.id = NEW.conversation_id;
  RETURN NULL;
END
$$;
CREATE TRIGGER messages_event AFTER INSERT ON messages
  FOR EACH ROW EXECUTE FUNCTION messages_event();

-- A read marker that moves is an event for both sides (the other side's
-- read receipt, the same side's other screens), dated when it moved
-- (*_read_at, set with the marker from the server's clock).
CREATE FUNCTION conversations_read_event() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF NEW.merchant_read_up_to > OLD.merchant_read_up_to THEN
    INSERT INTO events (kind, merchant_id, buyer_id, shop_id, data, created_at)
    VALUES ('conversation.read', NEW.merchant_id, NEW.buyer_id, NEW.shop_id,
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
  RETURN NULL;
END
$$;
CREATE TRIGGER conversations_read_event AFTER UPDATE OF merchant_read_up_to, buyer_read_up_to
  ON conversations FOR EACH ROW EXECUTE FUNCTION conversations_read_event();

-- The shop's badge of conversations with unread buyer messages is one
-- more counter tab. (The list is 0004's with unread_conversations added.)
ALTER TABLE shop_order_counts DROP CONSTRAINT shop_order_counts_tab_check,
  ADD CONSTRAINT shop_order_counts_tab_check
    CHECK (tab IN ('unpaid', 'paid', 'shipped', 'completed', 'closed', 'after_sales',
                   'under_review', 'unread_letters', 'unread_conversations'));

CREATE FUNCTION conversations_count_unread() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
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
CREATE TRIGGER conversations_count_unread AFTER INSERT OR UPDATE OF merchant_unread ON conversations
  FOR EACH ROW EXECUTE FUNCTION conversations_count_unread();

-- A shop's saved answers, sent with one tap (quick_reply_id on a message).
CREATE TABLE quick_replies (
  id         bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  shop_id    bigint NOT NULL REFERENCES shops (id),
  text       text NOT NULL CHECK (char_length(text) BETWEEN 1 AND 500),
  group_name text NOT NULL DEFAULT '' CHECK (char_length(group_name) <= 50),
  position   integer NOT NULL DEFAULT 0 CHECK (position BETWEEN 0 AND 10000),
  created_at timestamptz NOT NULL,
  updated_at timestamptz NOT NULL,
  deleted_at timestamptz
);
CREATE INDEX quick_replies_shop ON quick_replies (shop_id, group_name, position, id)
  WHERE deleted_at IS NULL;
