-- The partitions of page_views with their bounds, read from the catalog:
-- [lo, hi) of each, as its FOR VALUES FROM (lo) TO (hi) says. The bounds
-- are timestamptz constants printed with their offset, so they read back
-- the same whatever the session's TimeZone.
CREATE OR REPLACE FUNCTION page_views_partition_list()
RETURNS TABLE (name text, lo timestamptz, hi timestamptz)
STABLE LANGUAGE sql AS $$
  SELECT c.relname::text, b[1]::timestamptz, b[2]::timestamptz
    FROM pg_inherits i
    JOIN pg_class c ON c.oid = i.inhrelid
   CROSS JOIN LATERAL regexp_match(pg_get_expr(c.relpartbound, c.oid),
                                   $re$FROM \('([^']*)'\) TO \('([^']*)'\)$re$) AS b
   WHERE i.inhparent = 'page_views'::regclass AND b IS NOT NULL
$$;
