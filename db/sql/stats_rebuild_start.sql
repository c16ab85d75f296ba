-- merchantd stats rebuild, and the first fold's: starts rebuilding the
-- rollups of the shop (NULL: every shop) from the day p_from (or its first
-- day with data) to today. 'busy' when a rebuild is already in progress
-- (finish it first: stats_rebuild_step), 'ok' otherwise (nothing to do
-- when the shop has no data from that day on).
CREATE OR REPLACE FUNCTION stats_rebuild_start(p_shop bigint, p_from date, p_now timestamptz)
RETURNS text LANGUAGE plpgsql AS $$
DECLARE
  st      stats_fold_state;
  v_first date;
  v_last  date;
BEGIN
  SELECT * INTO st FROM stats_fold_state FOR UPDATE;
  IF st.folded_to IS NULL OR st.rebuild_next IS NOT NULL THEN
    RETURN 'busy';
  END IF;
  v_first := greatest(p_from, stats_first_day(p_shop));
  v_last := stats_day(greatest(p_now, st.folded_at));
  IF v_first IS NOT NULL AND v_first <= v_last THEN
    UPDATE stats_fold_state SET rebuild_shop = p_shop, rebuild_next = v_first, rebuild_last = v_last;
  END IF;
  RETURN 'ok';
END
$$;
