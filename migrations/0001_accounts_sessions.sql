-- Accounts, single-device sessions, login throttling and the job schedule.

-- merchantd passes times as microseconds since the Unix epoch (its own clock,
-- which tests can freeze), and reads them back the same way. Both functions
-- are declared exactly as volatile as their bodies so that the planner
-- inlines them: a SQL function that is not inlined is parsed on every call.
CREATE FUNCTION us_to_ts(bigint) RETURNS timestamptz
IMMUTABLE STRICT PARALLEL SAFE LANGUAGE sql
AS $$ SELECT 'epoch'::timestamptz + $1 * interval '1 microsecond' $$;

-- Read through float8 rather than numeric, which costs several times more
-- on every row. Exact: until the year 2255 the seconds as a double are
-- within a quarter of a microsecond of the truth, and round() removes that.
CREATE FUNCTION ts_to_us(timestamptz) RETURNS bigint
STABLE STRICT PARALLEL SAFE LANGUAGE sql
AS $$ SELECT round(date_part('epoch', $1) * 1000000)::bigint $$;

CREATE TABLE accounts (
  id            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  role          text NOT NULL CHECK (role IN ('merchant', 'buyer', 'reviewer')),
  username      text NOT NULL UNIQUE CHECK (username ~ '^[a-z0-9_.-]{3,32}$'),
  display_name  text NOT NULL CHECK (char_length(display_name) BETWEEN 1 AND 64),
  password_hash text NOT NULL CHECK (password_hash LIKE '$argon2id$%'),
  created_at    timestamptz NOT NULL
);
COMMENT ON TABLE accounts IS 'merchants, buyers and platform reviewers; password_hash is a libsodium argon2id string';

CREATE TABLE sessions (
  id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  account_id  bigint NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
  role        text NOT NULL,
  token_hash  bytea NOT NULL UNIQUE CHECK (octet_length(token_hash) = 32),
  device      text NOT NULL DEFAULT '' CHECK (char_length(device) <= 128),
  created_at  timestamptz NOT NULL,
  expires_at  timestamptz NOT NULL CHECK (expires_at > created_at),
  ended_at    timestamptz,
  end_reason  text CHECK (end_reason IN ('replaced', 'logout')),
  replaced_by bigint REFERENCES sessions (id) ON DELETE SET NULL,
  CHECK ((ended_at IS NULL) = (end_reason IS NULL))
);
COMMENT ON TABLE sessions IS 'login sessions; only a BLAKE2b hash of the bearer token is stored';
COMMENT ON COLUMN sessions.role IS 'the account''s role (which never changes), so that hot queries can authorise without reading the account';
-- One device at a time: the database itself refuses a second live session.
CREATE UNIQUE INDEX sessions_one_live_per_account ON sessions (account_id) WHERE ended_at IS NULL;
CREATE INDEX sessions_expires_at ON sessions (expires_at);
CREATE INDEX sessions_replaced_by ON sessions (replaced_by);

-- Starts a session for an account, ending every other live session of it in
-- the same transaction. The row lock on the account serialises two logins of
-- the same account so that exactly one of them ends up live.
CREATE FUNCTION auth_login(p_account bigint, p_token_hash bytea, p_device text,
                           p_now timestamptz, p_expires timestamptz)
RETURNS bigint LANGUAGE plpgsql AS $$
DECLARE
  v_ended bigint[];
  v_id    bigint;
  v_role  text;
BEGIN
  SELECT role INTO v_role FROM accounts WHERE id = p_account FOR UPDATE;
  IF NOT FOUND THEN
    RAISE EXCEPTION 'account % does not exist', p_account USING ERRCODE = 'no_data_found';
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

CREATE TABLE login_throttle (
  key          text PRIMARY KEY,
  window_start timestamptz NOT NULL,
  failures     integer NOT NULL CHECK (failures > 0)
);
COMMENT ON TABLE login_throttle IS 'failed login counters per username (u:) and client address (ip:), fixed windows';

CREATE TABLE job_schedule (
  name          text PRIMARY KEY,
  next_run_at   timestamptz NOT NULL,
  last_run_at   timestamptz,
  last_duration_ms integer
);
COMMENT ON TABLE job_schedule IS 'background jobs; an instance claims a due job with a conditional update so that several instances never run it twice';
