-- Locks the promotion plans' day rows of the shop (NULL: every shop) for
-- the days [p_from, p_to) whose impressions a rebuild would forget (from
-- stats_fold_state.impressions_from on), in (plan, day) order. A rebuild
-- step and stats check fold first and then forget and fold again, in one
-- transaction: taking every day row they will write before the fold takes
-- any plan row keeps their order that of a click (its day row, then the
-- plan row), so that neither deadlocks with a click or a PATCH. Returns
-- the rows locked.
CREATE OR REPLACE FUNCTION promotion_plan_days_lock(p_shop bigint, p_from date, p_to date)
RETURNS bigint LANGUAGE plpgsql AS $$
DECLARE
  v_n bigint;
BEGIN
  SELECT count(*) INTO v_n
    FROM (SELECT d.plan_id FROM promotion_plan_days d JOIN promotion_plans pl ON pl.id = d.plan_id
           WHERE (p_shop IS NULL OR pl.shop_id = p_shop) AND d.day >= p_from AND d.day < p_to
             AND d.day >= coalesce((SELECT impressions_from FROM stats_fold_state), '-infinity')
           ORDER BY d.plan_id, d.day
             FOR NO KEY UPDATE OF d) x;
  RETURN v_n;
END
$$;
