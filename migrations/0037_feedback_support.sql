-- Feedback (意见反馈) and official support chat (官方服务); docs/support.md.
--
-- Feedback: a merchant's report or suggestion, in one of a fixed list of
-- categories, with up to six pictures of their own image space; staff with
-- the support permission reply and close.
--
-- Support chat is buyer chat's conversations and messages with a kind: a
-- support conversation is between a merchant (about one of their shops)
-- and the platform, on the merchant's side the merchant (merchant_id),
-- on the other side no buyer but the staff member who claimed it
-- (staff_id). Messages, read markers and events are chat's own; the staff
-- side has its own read marker and unread count, and events its own
-- audience (staff_id), so that staff receive them over /v1/events too.

CREATE TABLE feedback (
  id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  merchant_id bigint NOT NULL REFERENCES accounts (id),
  category    text NOT NULL CHECK (category IN ('bug', 'suggestion', 'orders', 'funds',
                                                 'account', 'other')),
  text        text NOT NULL CHECK (char_length(text) BETWEEN 5 AND 2000),
  app_version text CHECK (char_length(app_version) BETWEEN 1 AND 32),
  device      text CHECK (char_length(device) BETWEEN 1 AND 128),
  status      text NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'replied', 'closed')),
  reply_count integer NOT NULL DEFAULT 0 CHECK (reply_count >= 0),
  created_at  timestamptz NOT NULL,
  updated_at  timestamptz NOT NULL,
  closed_at   timestamptz,
  closed_by   bigint REFERENCES accounts (id),
  CHECK ((status = 'closed') = (closed_at IS NOT NULL)),
  CHECK ((closed_at IS NULL) = (closed_by IS NULL)),
  CHECK ((status = 'replied') <= (reply_count > 0))
);
COMMENT ON TABLE feedback IS 'a merchant''s feedback (意见反馈): open, replied by staff, closed';
COMMENT ON COLUMN feedback.reply_count IS 'rows of feedback_replies, kept by feedback_reply';
-- The merchant's list, and the staff's lists (all, or by status or category).
CREATE INDEX feedback_merchant ON feedback (merchant_id, id);
CREATE INDEX feedback_status ON feedback (status, id);
CREATE INDEX feedback_category ON feedback (category, id);

-- The pictures, by the files they show: an image entry deleted later does
-- not take them away (the collector spares what a feedback names).
CREATE TABLE feedback_images (
  feedback_id bigint NOT NULL REFERENCES feedback (id),
  position    smallint NOT NULL CHECK (position BETWEEN 0 AND 5),
  image_id    bigint NOT NULL,
  sha256      text NOT NULL CHECK (sha256 ~ '^[0-9a-f]{64}$'),
  PRIMARY KEY (feedback_id, position)
);
COMMENT ON TABLE feedback_images IS 'a feedback''s pictures, from the merchant''s image space when sent';
CREATE INDEX feedback_images_sha256 ON feedback_images (sha256);

CREATE TABLE feedback_replies (
  id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  feedback_id bigint NOT NULL REFERENCES feedback (id),
  staff_id    bigint NOT NULL REFERENCES accounts (id),
  text        text NOT NULL CHECK (char_length(text) BETWEEN 1 AND 2000),
  created_at  timestamptz NOT NULL
);
COMMENT ON TABLE feedback_replies IS 'staff replies to a feedback, oldest first';
CREATE INDEX feedback_replies_feedback ON feedback_replies (feedback_id, id);

-- Conversations get a kind. A buyer conversation is as before; a support
-- conversation has no buyer, is claimed at most once (staff_id, claimed_at),
-- may be closed by its claimer, and a shop has at most one open.
ALTER TABLE conversations
  ADD COLUMN kind text NOT NULL DEFAULT 'buyer' CHECK (kind IN ('buyer', 'support')),
  ADD COLUMN staff_id bigint REFERENCES accounts (id),
  ADD COLUMN claimed_at timestamptz,
  ADD COLUMN closed_at timestamptz,
  ADD COLUMN waiting_since timestamptz,
  ADD COLUMN staff_read_up_to bigint NOT NULL DEFAULT 0,
  ADD COLUMN staff_read_at timestamptz,
  ADD COLUMN staff_unread integer NOT NULL DEFAULT 0 CHECK (staff_unread >= 0),
  ALTER COLUMN buyer_id DROP NOT NULL;
ALTER TABLE conversations
  ADD CONSTRAINT conversations_kind_parties CHECK (
    CASE kind
      WHEN 'buyer' THEN buyer_id IS NOT NULL AND staff_id IS NULL AND closed_at IS NULL
                        AND waiting_since IS NULL AND staff_read_up_to = 0 AND staff_unread = 0
      ELSE buyer_id IS NULL AND buyer_read_up_to = 0 AND buyer_unread = 0
    END),
  ADD CONSTRAINT conversations_claimed CHECK ((staff_id IS NULL) = (claimed_at IS NULL)),
  ADD CONSTRAINT conversations_closed_by_claimer CHECK (closed_at IS NULL OR staff_id IS NOT NULL);
COMMENT ON COLUMN conversations.kind IS 'buyer: a buyer and a shop; support: a merchant (about a shop) and the platform''s staff';
COMMENT ON COLUMN conversations.staff_id IS 'support: the staff member who claimed it (at most once), NULL while in the queue';
COMMENT ON COLUMN conversations.waiting_since IS 'support: the first merchant message not yet answered by staff; the queue''s order';
COMMENT ON COLUMN conversations.staff_unread IS 'support: merchant messages after staff_read_up_to';
CREATE UNIQUE INDEX conversations_support_open ON conversations (shop_id)
  WHERE kind = 'support' AND closed_at IS NULL;
-- The queue (waiting longest first), a staff member's claimed ones, a
-- shop's support conversations.
CREATE INDEX conversations_support_queue ON conversations (waiting_since, id)
  WHERE kind = 'support' AND staff_id IS NULL AND closed_at IS NULL AND waiting_since IS NOT NULL;
CREATE INDEX conversations_support_staff ON conversations (staff_id, last_activity_at, id)
  WHERE kind = 'support';
CREATE INDEX conversations_support_shop ON conversations (shop_id, last_activity_at, id)
  WHERE kind = 'support';

-- A support message is the merchant's or the staff's and has no buyer.
ALTER TABLE messages ALTER COLUMN buyer_id DROP NOT NULL,
  DROP CONSTRAINT messages_sender_check,
  ADD CONSTRAINT messages_sender_check CHECK (sender IN ('buyer', 'merchant', 'auto', 'staff'));

-- The conversation view keeps its columns (a support conversation has no
-- buyer name) and adds the kind's; the shop's buyer lists filter on kind.
CREATE OR REPLACE VIEW conversation_view AS
  SELECT c.id, c.shop_id, c.merchant_id, c.buyer_id, b.display_name AS buyer_name,
         c.last_message_id, m.type AS last_type, m.sender AS last_sender, c.last_preview,
         m.created_at AS last_created_at, c.last_activity_at, c.merchant_unread,
         c.buyer_unread, c.awaiting_reply, c.created_at, c.kind, c.staff_id, c.staff_unread,
         c.waiting_since, c.claimed_at, c.closed_at
    FROM conversations c
    LEFT JOIN accounts b ON b.id = c.buyer_id
    LEFT JOIN messages m ON m.id = c.last_message_id;

-- Events get a third audience: a staff member (their claimed support
-- conversations, and the support queue's changes, one row each).
ALTER TABLE events ADD COLUMN staff_id bigint REFERENCES accounts (id),
  DROP CONSTRAINT events_check,
  ADD CONSTRAINT events_audience CHECK (num_nonnulls(merchant_id, buyer_id, staff_id) > 0);
CREATE INDEX events_staff ON events (staff_id, id) WHERE staff_id IS NOT NULL;

-- Staff are few among accounts: the queue's events go to each of them.
CREATE INDEX accounts_staff ON accounts (id) WHERE role = 'staff';

-- The queue's changes are events for every staff member with support.
-- The function's body is in db/sql (applied after the migrations, in the
-- same transaction): declared here as a stub that refuses to run.
CREATE FUNCTION support_queue_event() RETURNS trigger LANGUAGE plpgsql AS
  $$BEGIN RAISE EXCEPTION 'support_queue_event: a stub, db/sql/support_queue_event.sql defines it'; END$$;
CREATE TRIGGER conversations_support_queue AFTER INSERT OR UPDATE OF staff_id, closed_at, waiting_since
  ON conversations FOR EACH ROW WHEN (NEW.kind = 'support') EXECUTE FUNCTION support_queue_event();
-- The staff side's read marker is an event like the two others.
DROP TRIGGER conversations_read_event ON conversations;
CREATE TRIGGER conversations_read_event
  AFTER UPDATE OF merchant_read_up_to, buyer_read_up_to, staff_read_up_to
  ON conversations FOR EACH ROW EXECUTE FUNCTION conversations_read_event();
