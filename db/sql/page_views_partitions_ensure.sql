-- Makes sure page_views has a partition for every instant of the days (of
-- MERCHANTD_TZ, platform_zone()) from the day of p_from to the day of p_to:
-- one partition page_views_YYYYMMDD per day, [local midnight, next local
-- midnight). Idempotent; returns how many partitions it created.
--
-- Days already covered are left alone. Should partitions made under
-- another MERCHANTD_TZ cover part of a day, only the gaps are created, so
-- that no instant is left without a partition and none overlaps (a gap's
-- partition is named after its day and the UTC time it starts when the
-- day's own name is taken).
--
-- Creating a partition locks page_views exclusively for a moment, so
-- creators queue on an advisory lock (class 'pgvw') and look again once
-- they hold it; lock_timeout keeps a creator from stalling the inserts
-- queued behind it when a long reader holds the table.
CREATE OR REPLACE FUNCTION page_views_partitions_ensure(p_from timestamptz, p_to timestamptz)
RETURNS integer
LANGUAGE plpgsql AS $$
DECLARE
  v_zone  text := platform_zone();
  v_d     date := (p_from AT TIME ZONE v_zone)::date;
  v_last  date := (p_to AT TIME ZONE v_zone)::date;
  v_lo    timestamptz;
  v_hi    timestamptz;
  v_t     timestamptz;
  v_upto  timestamptz;
  v_name  text;
  v_made  integer := 0;
BEGIN
  IF v_last - v_d > 400 THEN
    RAISE EXCEPTION 'page_views_partitions_ensure: % days asked for, at most 400', v_last - v_d + 1;
  END IF;
  PERFORM pg_advisory_xact_lock(1885828727, 0);
  PERFORM set_config('lock_timeout', '5s', true);
  WHILE v_d <= v_last LOOP
    v_lo := v_d::timestamp AT TIME ZONE v_zone;
    v_hi := (v_d + 1)::timestamp AT TIME ZONE v_zone;
    v_t := v_lo;
    WHILE v_t < v_hi LOOP
      SELECT l.hi INTO v_upto FROM page_views_partition_list() l WHERE l.lo <= v_t AND v_t < l.hi;
      IF FOUND THEN
        v_t := v_upto;
        CONTINUE;
      END IF;
      SELECT coalesce(min(l.lo), v_hi) INTO v_upto
        FROM page_views_partition_list() l WHERE l.lo > v_t AND l.lo < v_hi;
      v_name := 'page_views_' || to_char(v_d, 'YYYYMMDD');
      IF to_regclass(quote_ident(v_name)) IS NOT NULL THEN
        v_name := v_name || '_' || to_char(v_t AT TIME ZONE 'UTC', 'HH24MI');
      END IF;
      EXECUTE format('CREATE TABLE %I PARTITION OF page_views FOR VALUES FROM (%L) TO (%L)',
                     v_name, v_t, v_upto);
      v_made := v_made + 1;
      v_t := v_upto;
    END LOOP;
    v_d := v_d + 1;
  END LOOP;
  RETURN v_made;
END
$$;
