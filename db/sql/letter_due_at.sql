-- When a letter about an action taken at p_at is delivered: the next full
-- hour of local time (the same hour when p_at is exactly on it), moved to
-- 06:00 when that is before 06:00 or after 22:00. The hour is found on the
-- wall clock of p_zone and converted back, so DST changes move it with the
-- clock (delivery hours never fall in a DST gap in zones that change at
-- night).
CREATE OR REPLACE FUNCTION letter_due_at(p_at timestamptz, p_zone text) RETURNS timestamptz
IMMUTABLE STRICT PARALLEL SAFE LANGUAGE sql
AS $$
  SELECT (CASE WHEN h < date_trunc('day', h) + interval '6 hours'
               THEN date_trunc('day', h) + interval '6 hours'
               WHEN h > date_trunc('day', h) + interval '22 hours'
               THEN date_trunc('day', h) + interval '30 hours'
               ELSE h END) AT TIME ZONE p_zone
    FROM (SELECT date_trunc('hour', t)
                 + CASE WHEN t > date_trunc('hour', t) THEN interval '1 hour'
                        ELSE interval '0' END AS h
            FROM (SELECT p_at AT TIME ZONE p_zone AS t) l) r
$$;
