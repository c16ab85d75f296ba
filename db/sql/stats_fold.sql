-- The rollup worker's step (docs/data.md, Rollups and the watermark).
-- Under the lock of stats_fold_state, so folds of several instances run
-- one after the other: takes the snapshot's xmin as the new watermark
-- (every transaction below it has ended), folds the transactions between
-- the last watermark and it, and records it with as_of, the instant the
-- figures are complete to. The first fold ever rebuilds from the raw rows.
-- The job does not wait (p_wait false) for a fold or a rebuild running
-- elsewhere, which takes in its writes anyway: it returns NULL at once.
CREATE OR REPLACE FUNCTION stats_fold(p_now timestamptz, p_wait boolean) RETURNS timestamptz
LANGUAGE plpgsql AS $$
DECLARE
  v_lo     xid8;
  v_hi     xid8;
  v_oldest timestamptz;
  v_as_of  timestamptz;
BEGIN
  PERFORM stats_staging();
  IF p_wait THEN
    SELECT folded_to INTO v_lo FROM stats_fold_state FOR UPDATE;
  ELSE
    SELECT folded_to INTO v_lo FROM stats_fold_state FOR UPDATE SKIP LOCKED;
    IF NOT FOUND THEN
      RETURN NULL;
    END IF;
  END IF;
  -- Taken after the lock: a fold that committed meanwhile had a watermark
  -- no higher than this one (a snapshot's xmin never goes back).
  v_hi := greatest(pg_snapshot_xmin(pg_current_snapshot()), v_lo);
  IF v_lo IS NULL THEN
    PERFORM stats_forget(NULL, '-infinity');
    PERFORM stats_refold(NULL, '-infinity', v_hi, p_now);
  ELSE
    PERFORM stats_fold_window(v_lo, v_hi, p_now);
  END IF;
  PERFORM stats_apply(p_now);
  -- A transaction still writing may stamp its rows with a time before
  -- now; the figures are complete only to before the oldest one began.
  SELECT min(xact_start) INTO v_oldest
    FROM pg_stat_activity
   WHERE datname = current_database() AND pid <> pg_backend_pid() AND backend_xid IS NOT NULL;
  v_as_of := p_now - greatest(interval '0', clock_timestamp() - coalesce(v_oldest, clock_timestamp()));
  UPDATE stats_fold_state SET folded_to = v_hi, as_of = v_as_of, folded_at = p_now;
  RETURN v_as_of;
END
$$;
