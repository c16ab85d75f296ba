-- Starts a session for an account, ending every other live session of it in
-- the same transaction. The row lock on the account serialises two logins of
-- the same account so that exactly one of them ends up live. A disabled
-- account gets no session (NULL): disabling takes the same row lock, so a
-- login that passed its password check meanwhile starts none.
CREATE OR REPLACE FUNCTION auth_login(p_account bigint, p_token_hash bytea, p_device text,
                                      p_now timestamptz, p_expires timestamptz)
RETURNS bigint LANGUAGE plpgsql AS $$
DECLARE
  v_ended    bigint[];
  v_id       bigint;
  v_role     text;
  v_disabled timestamptz;
BEGIN
  SELECT role, disabled_at INTO v_role, v_disabled FROM accounts WHERE id = p_account FOR UPDATE;
  IF NOT FOUND THEN
    RAISE EXCEPTION 'account % does not exist', p_account USING ERRCODE = 'no_data_found';
  END IF;
  IF v_disabled IS NOT NULL THEN
    RETURN NULL;
  END IF;
  WITH ended AS (
    UPDATE sessions SET ended_at = p_now, end_reason = 'replaced'
     WHERE account_id = p_account AND ended_at IS NULL
    RETURNING id)
  SELECT coalesce(array_agg(id), '{}') INTO v_ended FROM ended;
  INSERT INTO sessions (account_id, role, token_hash, device, created_at, expires_at)
  VALUES (p_account, v_role, p_token_hash, p_device, p_now, p_expires)
  RETURNING id INTO v_id;
  UPDATE sessions SET replaced_by = v_id WHERE id = ANY (v_ended);
  RETURN v_id;
END
$$;

