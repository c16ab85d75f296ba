-- Counts the promoted impressions of the log (promotion_impressions)
-- written by transactions in [p_lo, p_hi), of one shop (p_shop, NULL:
-- all), of times in [p_from, p_to), into the plans' day rows
-- (promotion_plan_days.impressions, days of MERCHANTD_TZ; a day row not
-- made yet is made with the plan's budget, as a click makes it) and the
-- plans' lifetime counts (promotion_plans.impressions, which the auction's
-- quality score reads). The fold takes its window of transactions; a
-- rebuild (stats_refold) everything below its watermark (p_lo 0) of a day.
--
-- Locks: the day rows in (plan, day) order, then the plan rows in plan id
-- order, the order of a click (its day row, then the plan row) and of a
-- plan's PATCH, so the fold never deadlocks with either.
CREATE OR REPLACE FUNCTION stats_fold_impressions(p_lo xid8, p_hi xid8, p_shop bigint,
                                                  p_from timestamptz, p_to timestamptz)
RETURNS void LANGUAGE plpgsql AS $$
DECLARE
  v_plans bigint[];
  v_days  date[];
  v_n     bigint[];
BEGIN
  SELECT array_agg(c.plan_id ORDER BY c.plan_id, c.day), array_agg(c.day ORDER BY c.plan_id, c.day),
         array_agg(c.n ORDER BY c.plan_id, c.day)
    INTO v_plans, v_days, v_n
    FROM (SELECT i.plan_id, stats_day(i.created_at) AS day, count(*) AS n
            FROM promotion_impressions i
           WHERE i.fold_xid >= p_lo AND i.fold_xid < p_hi AND (p_shop IS NULL OR i.shop_id = p_shop)
             AND i.created_at >= p_from AND i.created_at < p_to
           GROUP BY 1, 2) c;
  IF v_plans IS NULL THEN
    RETURN;
  END IF;
  INSERT INTO promotion_plan_days AS d (plan_id, day, budget_cents, impressions)
  SELECT c.plan_id, c.day, pl.daily_budget_cents, c.n
    FROM unnest(v_plans, v_days, v_n) WITH ORDINALITY c (plan_id, day, n, k)
    JOIN promotion_plans pl ON pl.id = c.plan_id
   ORDER BY c.k
  ON CONFLICT ON CONSTRAINT promotion_plan_days_pkey
  DO UPDATE SET impressions = d.impressions + EXCLUDED.impressions;
  UPDATE promotion_plans pl SET impressions = pl.impressions + s.n
    FROM (SELECT x.id FROM promotion_plans x WHERE x.id = ANY (v_plans) ORDER BY x.id
            FOR NO KEY UPDATE) l,
         (SELECT c.plan_id, sum(c.n) AS n FROM unnest(v_plans, v_n) c (plan_id, n) GROUP BY 1) s
   WHERE pl.id = l.id AND s.plan_id = pl.id;
END
$$;
