-- The claimer hands a support conversation back to the queue (at the end
-- of a shift): staff_id and claimed_at go back to NULL, waiting_since is
-- kept, so that it is queued where it waited (a conversation whose merchant
-- is not waiting enters the queue with their next message). The guarded
-- UPDATE takes the row lock: a concurrent claim, close or message waits for
-- it or is waited for, and each sees the other's outcome. 'not_found' when
-- it is not a support conversation the caller has claimed (another's, one
-- in the queue, none), 'invalid_state' when the caller closed it. A release
-- is a support.released event for the merchant and the releaser; the
-- queue's event is support_queue_event's.
CREATE OR REPLACE FUNCTION support_release(p_staff bigint, p_conv bigint, p_now timestamptz)
RETURNS text LANGUAGE plpgsql AS $$
DECLARE
  c conversations;
BEGIN
  UPDATE conversations x SET staff_id = NULL, claimed_at = NULL, released_at = p_now
   WHERE x.id = p_conv AND x.kind = 'support' AND x.staff_id = p_staff AND x.closed_at IS NULL
  RETURNING * INTO c;
  IF FOUND THEN
    INSERT INTO events (kind, merchant_id, staff_id, shop_id, data, created_at)
    VALUES ('support.released', c.merchant_id, p_staff, c.shop_id,
            jsonb_build_object('conversation_id', c.id, 'staff_id', p_staff), p_now);
    RETURN 'ok';
  END IF;
  PERFORM 1 FROM conversations x WHERE x.id = p_conv AND x.kind = 'support' AND x.staff_id = p_staff;
  RETURN CASE WHEN FOUND THEN 'invalid_state' ELSE 'not_found' END;
END
$$;
