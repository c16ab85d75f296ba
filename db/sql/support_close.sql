-- The claimer closes a support conversation: no more messages, and the
-- shop's next support_open starts a new one. 'not_found' when it is not a
-- support conversation the caller claimed; closing again is 'ok'. Closing
-- is a support.closed event for the merchant and the claimer.
CREATE OR REPLACE FUNCTION support_close(p_staff bigint, p_conv bigint, p_now timestamptz)
RETURNS text LANGUAGE plpgsql AS $$
DECLARE
  c conversations;
BEGIN
  UPDATE conversations x SET closed_at = p_now
   WHERE x.id = p_conv AND x.kind = 'support' AND x.staff_id = p_staff AND x.closed_at IS NULL
  RETURNING * INTO c;
  IF FOUND THEN
    INSERT INTO events (kind, merchant_id, staff_id, shop_id, data, created_at)
    VALUES ('support.closed', c.merchant_id, p_staff, c.shop_id,
            jsonb_build_object('conversation_id', c.id), p_now);
    RETURN 'ok';
  END IF;
  PERFORM 1 FROM conversations x WHERE x.id = p_conv AND x.kind = 'support' AND x.staff_id = p_staff;
  RETURN CASE WHEN FOUND THEN 'ok' ELSE 'not_found' END;
END
$$;
