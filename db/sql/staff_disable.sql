-- Disabling ends the account's live sessions in the same transaction, so
-- its next request is refused at once (and sessions_end_notify ends its
-- event streams). Returns false for no such staff account.
CREATE OR REPLACE FUNCTION staff_disable(p_username text, p_now timestamptz)
RETURNS boolean LANGUAGE plpgsql AS $$
DECLARE
  v_id bigint;
BEGIN
  UPDATE accounts SET disabled_at = coalesce(disabled_at, p_now)
   WHERE username = p_username AND role = 'staff'
  RETURNING id INTO v_id;
  IF v_id IS NULL THEN
    RETURN false;
  END IF;
  UPDATE sessions SET ended_at = p_now, end_reason = 'disabled'
   WHERE account_id = v_id AND ended_at IS NULL;
  RETURN true;
END
$$;
