-- The MERCHANTD_TZ day an instant falls on, and the start of the minute,
-- hour or day bucket (docs/data.md) it falls in.
CREATE OR REPLACE FUNCTION stats_day(p_at timestamptz) RETURNS date STABLE LANGUAGE sql AS $$
  SELECT (p_at AT TIME ZONE platform_zone())::date
$$;

CREATE OR REPLACE FUNCTION stats_bucket(p_at timestamptz, p_grain "char") RETURNS timestamptz
STABLE LANGUAGE sql AS $$
  SELECT CASE p_grain WHEN 'm' THEN date_trunc('minute', p_at)
                      WHEN 'h' THEN date_trunc('hour', p_at, platform_zone())
                      ELSE date_trunc('day', p_at, platform_zone()) END
$$;

-- The instant a MERCHANTD_TZ day starts.
CREATE OR REPLACE FUNCTION stats_day_start(p_day date) RETURNS timestamptz STABLE LANGUAGE sql AS $$
  SELECT p_day::timestamp AT TIME ZONE platform_zone()
$$;
