-- Drops the partitions of page_views that hold nothing at or after
-- p_before (their upper bound is at or before it): the views older than
-- MERCHANTD_VIEWS_RETENTION_DAYS go a whole day at a time. Returns how many
-- were dropped. Takes the creators' advisory lock, and lock_timeout, like
-- page_views_partitions_ensure.
CREATE OR REPLACE FUNCTION page_views_partitions_drop(p_before timestamptz)
RETURNS integer
LANGUAGE plpgsql AS $$
DECLARE
  p    record;
  gone integer := 0;
BEGIN
  PERFORM pg_advisory_xact_lock(1885828727, 0);
  PERFORM set_config('lock_timeout', '5s', true);
  FOR p IN SELECT l.name FROM page_views_partition_list() l WHERE l.hi <= p_before ORDER BY l.lo LOOP
    EXECUTE format('DROP TABLE %I', p.name);
    gone := gone + 1;
  END LOOP;
  RETURN gone;
END
$$;
