-- The MERCHANTD_TZ day an instant falls on (docs/data.md: a day is
-- [00:00, 24:00) local).
CREATE OR REPLACE FUNCTION stats_day(p_at timestamptz) RETURNS date STABLE LANGUAGE sql AS $$
  SELECT (p_at AT TIME ZONE platform_zone())::date
$$;
