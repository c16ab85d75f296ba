-- The platform time zone (MERCHANTD_TZ): merchantd sets merchantd.tz on
-- its connections; anything else (psql, a script) gets the default.
CREATE OR REPLACE FUNCTION platform_zone() RETURNS text STABLE LANGUAGE sql AS $$
  SELECT coalesce(nullif(current_setting('merchantd.tz', true), ''), 'Asia/Shanghai')
$$;
