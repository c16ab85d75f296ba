-- Every message keeps its conversation's summary: the last message and
-- activity, the other side's unread count, awaiting_reply (auto-replies
-- never count as the merchant having replied). The summary follows the
-- newest message whatever order the triggers of concurrent messages run in:
-- a message takes its id before this trigger runs, so it moves the summary
-- only when it is newer than the conversation's last one, and counts as
-- unread only when it is after that side's read marker. (The row lock the
-- UPDATE takes orders it with conversation_read, which locks the row first:
-- whichever runs second sees what the first did.)
-- In a support conversation the sides are the merchant and the staff: the
-- merchant waits (awaiting_reply, and since waiting_since, the queue's
-- order) from their first message the staff have not answered.
CREATE OR REPLACE FUNCTION messages_keep_conversation() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  UPDATE conversations c
     SET last_message_id = greatest(c.last_message_id, NEW.id),
         last_activity_at = CASE WHEN c.last_message_id > NEW.id THEN c.last_activity_at
                                 ELSE NEW.created_at END,
         last_preview = CASE WHEN c.last_message_id > NEW.id THEN c.last_preview
                             WHEN NEW.type = 'text' THEN left(NEW.body, 100)
                             WHEN NEW.type = 'image' THEN '[图片]'
                             WHEN NEW.type = 'order_card' THEN '[订单]'
                             ELSE '[商品]' END,
         last_buyer_message_at = CASE WHEN NEW.sender = 'buyer' THEN NEW.created_at
                                      ELSE c.last_buyer_message_at END,
         merchant_unread = c.merchant_unread
                           + (NEW.sender IN ('buyer', 'staff')
                              AND NEW.id > c.merchant_read_up_to)::integer,
         buyer_unread = c.buyer_unread
                        + (c.kind = 'buyer' AND NEW.sender <> 'buyer'
                           AND NEW.id > c.buyer_read_up_to)::integer,
         staff_unread = c.staff_unread
                        + (c.kind = 'support' AND NEW.sender = 'merchant'
                           AND NEW.id > c.staff_read_up_to)::integer,
         awaiting_reply = CASE WHEN c.last_message_id > NEW.id THEN c.awaiting_reply
                               WHEN c.kind = 'support' THEN NEW.sender = 'merchant'
                               WHEN NEW.sender = 'buyer' THEN true
                               WHEN NEW.sender = 'merchant' THEN false
                               ELSE c.awaiting_reply END,
         waiting_since = CASE WHEN c.kind <> 'support' OR c.last_message_id > NEW.id
                                THEN c.waiting_since
                              WHEN NEW.sender = 'merchant'
                                THEN coalesce(c.waiting_since, NEW.created_at) END
   WHERE c.id = NEW.conversation_id;
  RETURN NULL;
END
$$;
