-- merchantd stats rebuild: in one transaction, folds what is due, then
-- forgets what the rollups hold of the shop (NULL: every shop) from the
-- day p_from ('-infinity': every day) on and folds it again from the raw
-- rows. Readers see the old figures until it commits. Its time is never
-- before the last fold's: a round the fold took as final (600 s passed)
-- stays final.
CREATE OR REPLACE FUNCTION stats_rebuild(p_shop bigint, p_from date, p_now timestamptz)
RETURNS timestamptz LANGUAGE plpgsql AS $$
DECLARE
  v_now   timestamptz := greatest(p_now, (SELECT folded_at FROM stats_fold_state));
  v_as_of timestamptz := stats_fold(v_now, true);
BEGIN
  PERFORM stats_forget(p_shop, p_from);
  PERFORM stats_refold(p_shop, p_from, (SELECT folded_to FROM stats_fold_state), v_now);
  PERFORM stats_apply(v_now);
  RETURN v_as_of;
END
$$;
