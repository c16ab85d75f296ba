-- A staff member claims a support conversation: the guarded UPDATE lets
-- exactly one of two concurrent claims through (the second waits for the
-- first's row lock, then finds staff_id set). Claiming one's own again is
-- 'ok'; 'already_claimed' when another staff member has it, 'invalid_state'
-- when it is closed, 'not_found' when there is no such support
-- conversation. A claim is a support.claimed event for the merchant (their
-- app shows that someone has taken the question) and the claimer's other
-- screens; the queue's event is support_queue_event's.
CREATE OR REPLACE FUNCTION support_claim(p_staff bigint, p_conv bigint, p_now timestamptz)
RETURNS text LANGUAGE plpgsql AS $$
DECLARE
  c conversations;
BEGIN
  UPDATE conversations x SET staff_id = p_staff, claimed_at = p_now
   WHERE x.id = p_conv AND x.kind = 'support' AND x.staff_id IS NULL AND x.closed_at IS NULL
  RETURNING * INTO c;
  IF FOUND THEN
    INSERT INTO events (kind, merchant_id, staff_id, shop_id, data, created_at)
    VALUES ('support.claimed', c.merchant_id, p_staff, c.shop_id,
            jsonb_build_object('conversation_id', c.id, 'staff_id', p_staff), p_now);
    RETURN 'ok';
  END IF;
  SELECT * INTO c FROM conversations x WHERE x.id = p_conv AND x.kind = 'support';
  IF NOT FOUND THEN
    RETURN 'not_found';
  ELSIF c.closed_at IS NOT NULL THEN
    RETURN 'invalid_state';
  ELSIF c.staff_id = p_staff THEN
    RETURN 'ok';
  END IF;
  RETURN 'already_claimed';
END
$$;
