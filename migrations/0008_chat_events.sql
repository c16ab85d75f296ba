-- Real-time delivery: a session that ends (replaced by a login elsewhere,
-- or logged out) wakes its account's event streams on every instance, so
-- that they end at once with a session_replaced event rather than at their
-- next heartbeat. The payload has 0005's form ('<merchant_id> <buyer_id>'):
-- listeners wake the waiters of every account it names.
CREATE FUNCTION sessions_end_notify() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM pg_notify('merchantd_events', NEW.account_id::text || ' ');
  RETURN NULL;
END
$$;
CREATE TRIGGER sessions_end_notify AFTER UPDATE OF ended_at ON sessions
  FOR EACH ROW WHEN (OLD.ended_at IS NULL AND NEW.ended_at IS NOT NULL)
  EXECUTE FUNCTION sessions_end_notify();

-- Events are kept a week (the purge_events job): long enough for any client
-- to reconnect and replay what it missed.
COMMENT ON INDEX events_created IS 'the purge_events job deletes events older than a week by this';
