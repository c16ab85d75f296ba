-- The instant a MERCHANTD_TZ day starts.
CREATE OR REPLACE FUNCTION stats_day_start(p_day date) RETURNS timestamptz STABLE LANGUAGE sql AS $$
  SELECT p_day::timestamp AT TIME ZONE platform_zone()
$$;
