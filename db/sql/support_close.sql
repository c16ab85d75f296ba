-- The claimer closes a support conversation: no more messages, and the
-- shop's next support_open starts a new one. 'not_found' when it is not a
-- support conversation the caller claimed; closing again is 'ok'.
CREATE OR REPLACE FUNCTION support_close(p_staff bigint, p_conv bigint, p_now timestamptz)
RETURNS text LANGUAGE plpgsql AS $$
BEGIN
  UPDATE conversations x SET closed_at = coalesce(x.closed_at, p_now)
   WHERE x.id = p_conv AND x.kind = 'support' AND x.staff_id = p_staff;
  RETURN CASE WHEN FOUND THEN 'ok' ELSE 'not_found' END;
END
$$;
