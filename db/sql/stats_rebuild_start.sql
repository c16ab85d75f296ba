-- merchantd stats rebuild: starts rebuilding the rollups of the shop
-- (NULL: every shop) from the day p_from (or its first day with data) to
-- today; stats_rebuild_step does the work, a day per transaction. Folds
-- first, so that before the first fold ever the first fold's rebuild of
-- everything is what is in progress. False when another rebuild is in
-- progress (finish it first, then start again); true when this one is
-- started, or when the one in progress already covers it (every shop,
-- from that day or earlier), or when there is nothing to rebuild.
CREATE OR REPLACE FUNCTION stats_rebuild_start(p_shop bigint, p_from date, p_now timestamptz)
RETURNS boolean LANGUAGE plpgsql AS $$
DECLARE
  v_now   timestamptz := greatest(p_now, (SELECT folded_at FROM stats_fold_state));
  st      stats_fold_state;
  v_first date;
BEGIN
  PERFORM stats_fold(v_now, true);
  SELECT * INTO st FROM stats_fold_state;
  v_first := greatest(p_from, stats_first_day(p_shop));
  IF st.rebuild_next IS NOT NULL THEN
    RETURN st.rebuild_shop IS NULL AND (v_first IS NULL OR st.rebuild_next <= v_first);
  END IF;
  IF v_first IS NOT NULL AND v_first <= stats_day(v_now) THEN
    UPDATE stats_fold_state
       SET rebuild_shop = p_shop, rebuild_next = v_first, rebuild_last = stats_day(v_now);
  END IF;
  RETURN true;
END
$$;
