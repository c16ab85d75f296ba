-- The first step of merchantd stats check, in its REPEATABLE READ
-- transaction: folds what is due (waiting for a fold running elsewhere)
-- and says whether every write this snapshot sees is below the new
-- watermark. A rebuild reads the raw rows as they are now, the fold only
-- the transactions below the watermark: the two can be compared only when
-- nothing visible lies between them. When a write does (one that committed
-- while an older transaction, of any database of the cluster, still ran),
-- the caller rolls back and tries again a moment later.
CREATE OR REPLACE FUNCTION stats_check_settled(p_now timestamptz) RETURNS boolean
LANGUAGE plpgsql AS $$
DECLARE
  v_hi xid8;
BEGIN
  -- stats_check forgets every day: the plans' day rows are taken first,
  -- under the fold's lock, before the fold takes any plan row
  -- (promotion_plan_days_lock).
  PERFORM 1 FROM stats_fold_state FOR UPDATE;
  PERFORM promotion_plan_days_lock(NULL, '-infinity', 'infinity');
  PERFORM stats_fold(greatest(p_now, (SELECT folded_at FROM stats_fold_state)), true);
  SELECT folded_to INTO v_hi FROM stats_fold_state;
  RETURN NOT (EXISTS (SELECT 1 FROM orders WHERE change_xid >= v_hi)
              OR EXISTS (SELECT 1 FROM messages WHERE fold_xid >= v_hi)
              OR EXISTS (SELECT 1 FROM refunds WHERE fold_xid >= v_hi)
              OR EXISTS (SELECT 1 FROM buyer_coupons WHERE fold_xid >= v_hi)
              OR EXISTS (SELECT 1 FROM page_views WHERE fold_xid >= v_hi)
              OR EXISTS (SELECT 1 FROM promotion_impressions WHERE fold_xid >= v_hi));
END
$$;
