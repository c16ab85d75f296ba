-- A timestamp as the API writes it: RFC 3339 in UTC, whole seconds
-- ("2026-11-26T08:00:00Z", as clock_format in C), for replies and event
-- data built in SQL. NULL stays NULL.
CREATE OR REPLACE FUNCTION live_time(p_ts timestamptz) RETURNS text
IMMUTABLE PARALLEL SAFE LANGUAGE sql AS $$
  SELECT to_char(p_ts AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"')
$$;
