-- Moves the caller's side's read marker forward to p_up_to (never back),
-- dating the move p_now (the server's clock; 0005's read event takes it),
-- and recounts that side's unread messages after it: the buyer's for the
-- merchant (the staff's in a support conversation), the merchant's and
-- auto-replies for the buyer, the merchant's for the staff. 'not_found'
-- when the conversation is not the caller's, 'invalid_field' when p_up_to
-- is not a message of it. The row is locked first, so that the count sees
-- every message whose trigger updated the row before; later ones wait for
-- this transaction and add to the count it wrote. (NO KEY UPDATE: a
-- message insert holds KEY SHARE on the row through its foreign key.)
CREATE OR REPLACE FUNCTION conversation_read(p_caller bigint, p_conv bigint, p_up_to bigint,
                                  p_now timestamptz)
RETURNS text LANGUAGE plpgsql AS $$
DECLARE
  c        conversations;
  v_marker bigint;
BEGIN
  SELECT * INTO c FROM conversations x
   WHERE x.id = p_conv
     AND (x.merchant_id = p_caller OR x.buyer_id = p_caller OR x.staff_id = p_caller)
     FOR NO KEY UPDATE;
  IF NOT FOUND THEN
    RETURN 'not_found';
  END IF;
  PERFORM 1 FROM messages m WHERE m.id = p_up_to AND m.conversation_id = p_conv;
  IF NOT FOUND THEN
    RETURN 'invalid_field';
  END IF;
  IF c.merchant_id = p_caller THEN
    v_marker := greatest(c.merchant_read_up_to, p_up_to);
    UPDATE conversations x
       SET merchant_read_up_to = v_marker,
           merchant_read_at = CASE WHEN v_marker > x.merchant_read_up_to THEN p_now
                                   ELSE x.merchant_read_at END,
           merchant_unread = (SELECT count(*) FROM messages m
                               WHERE m.conversation_id = p_conv AND m.id > v_marker
                                 AND m.sender IN ('buyer', 'staff'))
     WHERE x.id = p_conv;
  ELSIF c.staff_id = p_caller THEN
    v_marker := greatest(c.staff_read_up_to, p_up_to);
    UPDATE conversations x
       SET staff_read_up_to = v_marker,
           staff_read_at = CASE WHEN v_marker > x.staff_read_up_to THEN p_now
                                ELSE x.staff_read_at END,
           staff_unread = (SELECT count(*) FROM messages m
                            WHERE m.conversation_id = p_conv AND m.id > v_marker
                              AND m.sender = 'merchant')
     WHERE x.id = p_conv;
  ELSE
    v_marker := greatest(c.buyer_read_up_to, p_up_to);
    UPDATE conversations x
       SET buyer_read_up_to = v_marker,
           buyer_read_at = CASE WHEN v_marker > x.buyer_read_up_to THEN p_now
                                ELSE x.buyer_read_at END,
           buyer_unread = (SELECT count(*) FROM messages m
                            WHERE m.conversation_id = p_conv AND m.id > v_marker
                              AND m.sender <> 'buyer')
     WHERE x.id = p_conv;
  END IF;
  RETURN 'ok';
END
$$;
