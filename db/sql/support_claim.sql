-- A staff member claims a support conversation: the guarded UPDATE lets
-- exactly one of two concurrent claims through (the second waits for the
-- first's row lock, then finds staff_id set). Claiming one's own again is
-- 'ok'; 'already_claimed' when another staff member has it, 'invalid_state'
-- when it is closed, 'not_found' when there is no such support
-- conversation.
CREATE OR REPLACE FUNCTION support_claim(p_staff bigint, p_conv bigint, p_now timestamptz)
RETURNS text LANGUAGE plpgsql AS $$
DECLARE
  c conversations;
BEGIN
  UPDATE conversations x SET staff_id = p_staff, claimed_at = p_now
   WHERE x.id = p_conv AND x.kind = 'support' AND x.staff_id IS NULL AND x.closed_at IS NULL;
  IF FOUND THEN
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
