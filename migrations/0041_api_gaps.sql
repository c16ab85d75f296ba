-- A conversation tells how far the other side has read: the view adds the
-- three read markers (at the end, so CREATE OR REPLACE keeps the columns
-- the lists and conversation_fresh already read).
CREATE OR REPLACE VIEW conversation_view AS
  SELECT c.id, c.shop_id, c.merchant_id, c.buyer_id, b.display_name AS buyer_name,
         c.last_message_id, m.type AS last_type, m.sender AS last_sender, c.last_preview,
         m.created_at AS last_created_at, c.last_activity_at, c.merchant_unread,
         c.buyer_unread, c.awaiting_reply, c.created_at, c.kind, c.staff_id, c.staff_unread,
         c.waiting_since, c.claimed_at, c.closed_at,
         c.merchant_read_up_to, c.buyer_read_up_to, c.staff_read_up_to
    FROM conversations c
    LEFT JOIN accounts b ON b.id = c.buyer_id
    LEFT JOIN messages m ON m.id = c.last_message_id;
