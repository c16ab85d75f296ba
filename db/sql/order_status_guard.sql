-- Status transitions, the change feed and the per-tab counters, for every
-- write whatever its origin.
CREATE OR REPLACE FUNCTION order_status_guard() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  v_n integer;
BEGIN
  IF TG_OP = 'INSERT' THEN
    IF NEW.status <> 'unpaid' THEN
      RAISE EXCEPTION 'a new order must be unpaid' USING ERRCODE = 'check_violation';
    END IF;
  ELSIF NEW.status <> OLD.status AND NOT (
       (OLD.status = 'unpaid' AND NEW.status IN ('paid', 'closed'))
    OR (OLD.status = 'paid' AND NEW.status IN ('shipped', 'closed'))
    OR (OLD.status = 'shipped' AND NEW.status IN ('completed', 'closed'))
    OR (OLD.status = 'completed' AND NEW.status = 'closed' AND NEW.close_reason = 'refunded')) THEN
    RAISE EXCEPTION 'order % cannot go from % to %', OLD.id, OLD.status, NEW.status
      USING ERRCODE = 'check_violation';
  END IF;
  -- The feed position follows the transaction id, so that a change the ERP
  -- feed hands out (change_xid below its snapshot's xmin) sorts before every
  -- change still to commit. A sequence drawn here could not promise that: a
  -- transaction that got its id early (a lock at its start) draws late, and
  -- a newer transaction still running can hold a smaller number. The low 20
  -- bits count the changes of the transaction: seqs stay unique and grow.
  v_n := coalesce(nullif(current_setting('merchantd.order_changes', true), ''), '0')::integer;
  IF v_n >= 1048576 THEN
    RAISE EXCEPTION 'too many order changes in one transaction'
      USING ERRCODE = 'program_limit_exceeded';
  END IF;
  PERFORM set_config('merchantd.order_changes', (v_n + 1)::text, true);
  NEW.change_xid := pg_current_xact_id();
  NEW.change_seq := (NEW.change_xid::text::bigint << 20) | v_n;
  RETURN NEW;
END
$$;
