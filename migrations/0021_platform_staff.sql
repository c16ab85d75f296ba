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
