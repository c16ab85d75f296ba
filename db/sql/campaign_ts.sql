-- A time as the API writes it: RFC 3339, UTC, whole seconds.
CREATE OR REPLACE FUNCTION campaign_ts(p timestamptz) RETURNS text IMMUTABLE PARALLEL SAFE
LANGUAGE sql AS $$
  SELECT to_char(p AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"')
$$;
