-- The start of the minute, hour or MERCHANTD_TZ day bucket of stats_shop
-- an instant falls in (an hour of the zone, for zones not on whole hours).
CREATE OR REPLACE FUNCTION stats_bucket(p_at timestamptz, p_grain "char") RETURNS timestamptz
STABLE LANGUAGE sql AS $$
  SELECT CASE p_grain WHEN 'm' THEN date_trunc('minute', p_at)
                      WHEN 'h' THEN date_trunc('hour', p_at, platform_zone())
                      ELSE date_trunc('day', p_at, platform_zone()) END
$$;
