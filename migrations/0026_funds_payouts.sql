-- Money in and out of a shop's ledger accounts: top-ups through the payment
-- provider, the shop's bank account, withdrawals paid out to it, and the
-- platform's manual adjustments. Every posting goes through ledger_post or
-- the hold functions of 0025_funds.sql under an event key of its own; the
-- tables here record the business objects and guard their states.

CREATE TABLE funds_topups (
  id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  shop_id      bigint NOT NULL REFERENCES shops (id),
  account      text NOT NULL CHECK (account IN ('deposit', 'promotion')),
  amount_cents bigint NOT NULL CHECK (amount_cents > 0),
  provider     text NOT NULL CHECK (char_length(provider) BETWEEN 1 AND 32),
  provider_ref text NOT NULL CHECK (char_length(provider_ref) BETWEEN 1 AND 64),
  status       text NOT NULL CHECK (status IN ('pending', 'succeeded')),
  created_at   timestamptz NOT NULL,
  confirmed_at timestamptz,
  CHECK ((status = 'succeeded') = (confirmed_at IS NOT NULL)),
  UNIQUE (provider, provider_ref)
);
COMMENT ON TABLE funds_topups IS 'money a shop pays in to its deposit or promotion account; posted (event topup:<id>) once the provider''s signed confirmation arrives';
CREATE INDEX funds_topups_shop ON funds_topups (shop_id, id DESC);

CREATE TABLE payment_webhook_events (
  provider    text NOT NULL,
  event_id    text NOT NULL CHECK (char_length(event_id) BETWEEN 1 AND 64),
  received_at timestamptz NOT NULL,
  PRIMARY KEY (provider, event_id)
);
COMMENT ON TABLE payment_webhook_events IS 'every verified provider event taken, by its id: the same event delivered again is refused (replay protection)';

CREATE TABLE shop_bank_accounts (
  shop_id       bigint PRIMARY KEY REFERENCES shops (id),
  holder        text NOT NULL CHECK (char_length(holder) BETWEEN 1 AND 64),
  bank          text NOT NULL CHECK (char_length(bank) BETWEEN 1 AND 64),
  account_key   text NOT NULL CHECK (char_length(account_key) BETWEEN 1 AND 16),
  account_nonce bytea NOT NULL CHECK (length(account_nonce) = 24),
  account_box   bytea NOT NULL CHECK (length(account_box) BETWEEN 17 AND 64),
  account_last4 text NOT NULL CHECK (account_last4 ~ '^[0-9]{4}$'),
  updated_at    timestamptz NOT NULL
);
COMMENT ON TABLE shop_bank_accounts IS 'where a shop''s withdrawals are paid: the number only sealed (XChaCha20-Poly1305, the shop bound as additional data) and its last four digits';
COMMENT ON COLUMN shop_bank_accounts.account_key IS 'the id of the data key that sealed account_box (see docs/operations.md, rotating the data key)';

CREATE TABLE withdrawals (
  id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  shop_id         bigint NOT NULL REFERENCES shops (id),
  amount_cents    bigint NOT NULL CHECK (amount_cents > 0),
  status          text NOT NULL CHECK (status IN ('requested', 'submitted', 'succeeded', 'failed',
                                                  'canceled', 'returned')),
  approval        text NOT NULL CHECK (approval IN ('none', 'pending', 'approved', 'rejected')),
  hold_id         bigint NOT NULL UNIQUE REFERENCES ledger_holds (id),
  -- The bank account as it was when asked for: a later change of the
  -- shop's account does not redirect money already on its way.
  holder          text NOT NULL,
  bank            text NOT NULL,
  account_key     text NOT NULL,
  account_nonce   bytea NOT NULL,
  account_box     bytea NOT NULL,
  account_last4   text NOT NULL,
  provider        text,
  provider_ref    text,
  reason          text CHECK (char_length(reason) <= 500),
  decided_by      bigint REFERENCES accounts (id),
  requested_at    timestamptz NOT NULL,
  decided_at      timestamptz,
  submitted_at    timestamptz,
  resolved_at     timestamptz,
  returned_at     timestamptz,
  CHECK ((status = 'requested') OR (approval IN ('none', 'approved')) OR status = 'canceled'),
  -- Submitted first, then sent to the provider: its reference comes after.
  CHECK (provider_ref IS NULL OR submitted_at IS NOT NULL),
  CHECK (status NOT IN ('submitted', 'succeeded', 'returned') OR submitted_at IS NOT NULL),
  CHECK (status NOT IN ('succeeded', 'returned') OR provider_ref IS NOT NULL),
  CHECK ((status = 'returned') = (returned_at IS NOT NULL)),
  CHECK ((status IN ('requested', 'submitted')) = (resolved_at IS NULL))
);
COMMENT ON TABLE withdrawals IS 'a shop''s withdrawal: its amount held (ledger_holds) from available until paid out (posted to payout_clearing) or failed or canceled (voided); states move once each (withdrawal_guard)';
COMMENT ON COLUMN withdrawals.approval IS 'none below the approval threshold; else pending until staff with finance approve or reject it';
-- At most one withdrawal of a shop in flight at a time.
CREATE UNIQUE INDEX withdrawals_one_open ON withdrawals (shop_id) WHERE status IN ('requested', 'submitted');
CREATE INDEX withdrawals_shop ON withdrawals (shop_id, id DESC);
CREATE INDEX withdrawals_shop_day ON withdrawals (shop_id, requested_at);
CREATE INDEX withdrawals_due ON withdrawals (id) WHERE status IN ('requested', 'submitted');
CREATE INDEX withdrawals_paid ON withdrawals (resolved_at) WHERE status = 'succeeded';
CREATE INDEX withdrawals_awaiting_approval ON withdrawals (id) WHERE approval = 'pending' AND status = 'requested';

CREATE TABLE funds_adjustments (
  id            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  shop_id       bigint NOT NULL REFERENCES shops (id),
  account       text NOT NULL CHECK (account IN ('available', 'deposit', 'promotion')),
  platform_account text NOT NULL CHECK (platform_account IN ('fee_revenue', 'platform_promotion')),
  direction     text NOT NULL CHECK (direction IN ('credit', 'debit')),
  amount_cents  bigint NOT NULL CHECK (amount_cents > 0),
  reason        text NOT NULL CHECK (char_length(reason) BETWEEN 1 AND 500),
  status        text NOT NULL CHECK (status IN ('pending_approval', 'posted', 'rejected')),
  created_by    bigint NOT NULL REFERENCES accounts (id),
  decided_by    bigint REFERENCES accounts (id),
  decision_reason text CHECK (char_length(decision_reason) <= 500),
  created_at    timestamptz NOT NULL,
  decided_at    timestamptz,
  -- Four eyes: one that needed approval is decided by someone else (one
  -- posted at once has no decider).
  CHECK (decided_by <> created_by),
  CHECK ((status = 'pending_approval') = (decided_at IS NULL))
);
COMMENT ON TABLE funds_adjustments IS 'staff corrections between a shop''s account and a platform account (event adjustment:<id>); above the threshold a second staff member approves';
COMMENT ON COLUMN funds_adjustments.direction IS 'credit: the platform account pays the shop''s; debit: the shop''s pays the platform account';
CREATE INDEX funds_adjustments_status ON funds_adjustments (status, id DESC);

CREATE TABLE funds_audit (
  id         bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  at         timestamptz NOT NULL,
  actor_id   bigint REFERENCES accounts (id),
  action     text NOT NULL CHECK (char_length(action) BETWEEN 1 AND 64),
  object     text NOT NULL CHECK (object IN ('withdrawal', 'adjustment', 'bank_account', 'topup')),
  object_id  bigint NOT NULL,
  shop_id    bigint NOT NULL REFERENCES shops (id),
  detail     jsonb NOT NULL DEFAULT '{}'
);
COMMENT ON TABLE funds_audit IS 'insert-only trail of every funds decision: who (actor_id; NULL for the system), when, what';
CREATE INDEX funds_audit_object ON funds_audit (object, object_id, id);
CREATE INDEX funds_audit_shop ON funds_audit (shop_id, id);

CREATE FUNCTION withdrawal_guard() RETURNS trigger LANGUAGE plpgsql AS
  $$BEGIN RAISE EXCEPTION 'withdrawal_guard: a stub, db/sql/withdrawal_guard.sql defines it'; END$$;
CREATE TRIGGER withdrawals_transition BEFORE UPDATE ON withdrawals
  FOR EACH ROW EXECUTE FUNCTION withdrawal_guard();
CREATE TRIGGER withdrawals_kept BEFORE DELETE ON withdrawals
  FOR EACH ROW EXECUTE FUNCTION ledger_refuse_change();
CREATE TRIGGER funds_audit_append_only BEFORE UPDATE OR DELETE ON funds_audit
  FOR EACH ROW EXECUTE FUNCTION ledger_refuse_change();
CREATE TRIGGER funds_adjustments_kept BEFORE DELETE ON funds_adjustments
  FOR EACH ROW EXECUTE FUNCTION ledger_refuse_change();
