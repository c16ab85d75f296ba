-- A hold is resolved once, whatever writes it: from held to posted (with
-- its transfer) or to voided, and nothing else of it changes.
CREATE OR REPLACE FUNCTION ledger_hold_guard() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF OLD.status <> 'held' OR NEW.status NOT IN ('posted', 'voided')
     OR (NEW.event_key, NEW.account_id, NEW.amount_cents, NEW.cause, NEW.cause_id, NEW.created_at)
        IS DISTINCT FROM
        (OLD.event_key, OLD.account_id, OLD.amount_cents, OLD.cause, OLD.cause_id, OLD.created_at) THEN
    RAISE EXCEPTION 'hold % cannot go from % to %', OLD.id, OLD.status, NEW.status
      USING ERRCODE = 'check_violation';
  END IF;
  RETURN NEW;
END
$$;
