-- A withdrawal's state moves only forward, one step at a time, whatever
-- writes the row: requested -> submitted | failed | canceled, submitted ->
-- succeeded | failed, succeeded -> returned; while requested, a pending
-- approval may become approved (or rejected, with the withdrawal
-- canceled); while submitted, the provider's reference is recorded once.
-- What was asked for (shop, amount, hold, bank account) never changes, and
-- a moment or a reference once recorded stays.
CREATE OR REPLACE FUNCTION withdrawal_guard() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF NOT ((OLD.status, NEW.status) IN (('requested', 'requested'), ('requested', 'submitted'),
                                       ('submitted', 'submitted'),
                                       ('requested', 'failed'), ('requested', 'canceled'),
                                       ('submitted', 'succeeded'), ('submitted', 'failed'),
                                       ('succeeded', 'returned')))
     OR (OLD.status = 'requested' AND NEW.status = 'requested'
         AND NOT (OLD.approval = 'pending' AND NEW.approval = 'approved'))
     OR (OLD.status = 'submitted' AND NEW.status = 'submitted'
         AND NOT (OLD.provider_ref IS NULL AND NEW.provider_ref IS NOT NULL))
     OR (OLD.provider_ref IS NOT NULL AND NEW.provider_ref IS DISTINCT FROM OLD.provider_ref)
     OR (OLD.provider IS NOT NULL AND NEW.provider IS DISTINCT FROM OLD.provider)
     OR (OLD.approval <> NEW.approval
         AND NOT (OLD.approval = 'pending' AND NEW.approval IN ('approved', 'rejected')))
     OR (NEW.approval = 'rejected' AND NEW.status <> 'canceled')
     OR (NEW.status = 'submitted' AND NEW.approval NOT IN ('none', 'approved'))
     OR (NEW.shop_id, NEW.amount_cents, NEW.hold_id, NEW.holder, NEW.bank, NEW.account_key,
         NEW.account_nonce, NEW.account_box, NEW.account_last4, NEW.requested_at)
        IS DISTINCT FROM
        (OLD.shop_id, OLD.amount_cents, OLD.hold_id, OLD.holder, OLD.bank, OLD.account_key,
         OLD.account_nonce, OLD.account_box, OLD.account_last4, OLD.requested_at)
     OR (OLD.submitted_at IS NOT NULL AND NEW.submitted_at IS DISTINCT FROM OLD.submitted_at)
     OR (OLD.resolved_at IS NOT NULL AND NEW.resolved_at IS DISTINCT FROM OLD.resolved_at)
     OR (OLD.decided_at IS NOT NULL AND NEW.decided_at IS DISTINCT FROM OLD.decided_at) THEN
    RAISE EXCEPTION 'withdrawal % cannot go from %/% to %/%', OLD.id, OLD.status, OLD.approval,
      NEW.status, NEW.approval USING ERRCODE = 'check_violation';
  END IF;
  RETURN NEW;
END
$$;
