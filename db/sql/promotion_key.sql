-- The key impression tokens are signed with: the one there is, or p_new
-- (32 random bytes from the server) when there is none yet. Every server
-- gets the same key, whoever made it.
CREATE OR REPLACE FUNCTION promotion_key(p_new bytea, p_now timestamptz) RETURNS bytea
LANGUAGE sql AS $$
  INSERT INTO promotion_keys (id, secret, created_at) VALUES (1, p_new, p_now)
  ON CONFLICT (id) DO NOTHING;
  SELECT k.secret FROM promotion_keys k WHERE k.id = 1;
$$;
