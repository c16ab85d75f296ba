-- Sets an event's position and wakes the listening instances: the payload
-- names the two audiences, each instance wakes its waiting clients of
-- those accounts, and they read the events from the table.
CREATE OR REPLACE FUNCTION events_position() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  v_n integer;
BEGIN
  v_n := coalesce(nullif(current_setting('merchantd.event_count', true), ''), '0')::integer;
  IF v_n >= 1048576 THEN
    RAISE EXCEPTION 'too many events in one transaction' USING ERRCODE = 'program_limit_exceeded';
  END IF;
  PERFORM set_config('merchantd.event_count', (v_n + 1)::text, true);
  NEW.xid := pg_current_xact_id();
  NEW.id := (NEW.xid::text::bigint << 20) | v_n;
  PERFORM pg_notify('merchantd_events',
                    coalesce(NEW.merchant_id::text, '') || ' ' || coalesce(NEW.buyer_id::text, '')
                    || ' ' || coalesce(NEW.staff_id::text, ''));
  RETURN NEW;
END
$$;
