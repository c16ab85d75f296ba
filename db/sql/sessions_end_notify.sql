-- Real-time delivery: a session that ends (replaced by a login elsewhere,
-- or logged out) wakes its account's event streams on every instance, so
-- that they end at once with a session_replaced event rather than at their
-- next heartbeat. The payload has 0005's form ('<merchant_id> <buyer_id>'):
-- listeners wake the waiters of every account it names.
CREATE OR REPLACE FUNCTION sessions_end_notify() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM pg_notify('merchantd_events', NEW.account_id::text || ' ');
  RETURN NULL;
END
$$;
