-- merchantd passes times as microseconds since the Unix epoch (its own clock,
-- which tests can freeze), and reads them back the same way (ts_to_us). Both
-- functions are declared exactly as volatile as their bodies so that the
-- planner inlines them: a SQL function that is not inlined is parsed and
-- planned on every call. Adding an interval to a timestamptz is STABLE (it
-- depends on TimeZone), so us_to_ts is STABLE, not IMMUTABLE; no index,
-- constraint or default uses it.
CREATE OR REPLACE FUNCTION us_to_ts(bigint) RETURNS timestamptz
STABLE STRICT PARALLEL SAFE LANGUAGE sql
AS $$ SELECT 'epoch'::timestamptz + $1 * interval '1 microsecond' $$;
