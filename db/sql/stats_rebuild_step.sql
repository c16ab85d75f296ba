-- One step of the rebuild in progress, in a transaction of its own, so
-- that no transaction of a rebuild runs long (a long transaction holds
-- back every reader behind the xmin horizon: this worker, the ERP feed,
-- the event streams): folds what is due, then forgets what the rollups
-- hold of the next day and folds that day's raw rows again. Returns the
-- day rebuilt, NULL when no rebuild is in progress. Readers see each day
-- rebuilt whole; its time is never before the last fold's, so a round
-- the fold took as final (600 s passed) stays final.
CREATE OR REPLACE FUNCTION stats_rebuild_step(p_now timestamptz) RETURNS date
LANGUAGE plpgsql AS $$
DECLARE
  v_now timestamptz := greatest(p_now, (SELECT folded_at FROM stats_fold_state));
  st    stats_fold_state;
BEGIN
  -- The plans' day rows of the day first (promotion_plan_days_lock), under
  -- the fold's lock, as a fold takes them: before any plan row.
  SELECT * INTO st FROM stats_fold_state FOR UPDATE;
  IF st.rebuild_next IS NOT NULL THEN
    PERFORM promotion_plan_days_lock(st.rebuild_shop, st.rebuild_next, st.rebuild_next + 1);
  END IF;
  PERFORM stats_fold(v_now, true);
  SELECT * INTO st FROM stats_fold_state;
  IF st.rebuild_next IS NULL THEN
    RETURN NULL;
  END IF;
  PERFORM stats_forget(st.rebuild_shop, st.rebuild_next, st.rebuild_next + 1);
  PERFORM stats_refold(st.rebuild_shop, st.rebuild_next, st.rebuild_next + 1, st.folded_to, v_now);
  PERFORM stats_apply(v_now);
  IF st.rebuild_next >= st.rebuild_last THEN
    UPDATE stats_fold_state SET rebuild_shop = NULL, rebuild_next = NULL, rebuild_last = NULL;
  ELSE
    UPDATE stats_fold_state SET rebuild_next = st.rebuild_next + 1;
  END IF;
  RETURN st.rebuild_next;
END
$$;
