-- Platform staff replace the single reviewer role. A staff account holds
-- permissions, one per kind of platform work; a staff route names the one
-- it needs. Existing reviewers become staff with 'review'.

ALTER TABLE accounts DROP CONSTRAINT accounts_role_check;
UPDATE accounts SET role = 'staff' WHERE role = 'reviewer';
UPDATE sessions SET role = 'staff' WHERE role = 'reviewer';
ALTER TABLE accounts ADD CONSTRAINT accounts_role_check
  CHECK (role IN ('merchant', 'buyer', 'staff'));

ALTER TABLE accounts
  ADD COLUMN permissions text[] NOT NULL DEFAULT '{}',
  ADD COLUMN disabled_at timestamptz;
UPDATE accounts SET permissions = '{review}' WHERE role = 'staff';
-- The names are those of db_permission_name (db/accounts.c).
ALTER TABLE accounts
  ADD CONSTRAINT accounts_permissions_known
    CHECK (permissions <@ ARRAY['review', 'finance', 'campaigns', 'community', 'support',
                                'growth']::text[]
           AND array_position(permissions, NULL) IS NULL),
  ADD CONSTRAINT accounts_permissions_of_staff CHECK (role = 'staff' OR permissions = '{}');
COMMENT ON TABLE accounts IS 'merchants, buyers and platform staff; password_hash is a libsodium argon2id string';
COMMENT ON COLUMN accounts.permissions IS 'a staff account''s permissions: review, finance, campaigns, community, support, growth';
COMMENT ON COLUMN accounts.disabled_at IS 'set when the account was disabled: it cannot log in, and its sessions ended then';

ALTER TABLE sessions DROP CONSTRAINT sessions_end_reason_check;
ALTER TABLE sessions ADD CONSTRAINT sessions_end_reason_check
  CHECK (end_reason IN ('replaced', 'logout', 'disabled'));

-- A login that passed its password check while the account was being
-- disabled must not start a session: auth_login reads the account under
-- the same row lock that disabling takes, and starts none (NULL).
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

-- Disabling ends the account's live sessions in the same transaction, so
-- its next request is refused at once (and sessions_end_notify ends its
-- event streams). Returns false for no such staff account.
CREATE FUNCTION staff_disable(p_username text, p_now timestamptz)
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
