-- Forgets what the rollups hold of one shop (NULL: every shop) for the
-- days [p_from, p_to), so that stats_refold can fold the raw rows of those
-- days again: their buckets and per-day rows, and the marks of the order
-- facts of those days. Deletes, not TRUNCATE: the data pages go on
-- reading until the transaction commits. The promoted impressions of the
-- plans' day rows of those days are zeroed (the days before
-- stats_fold_state.impressions_from excepted: the log no longer holds
-- them), and each such plan's lifetime count becomes the sum of its day
-- rows; locks: the day rows in (plan, day) order, then the plan rows in
-- plan id order, as the fold takes them.
CREATE OR REPLACE FUNCTION stats_forget(p_shop bigint, p_from date, p_to date) RETURNS void
LANGUAGE plpgsql AS $$
DECLARE
  v_from  timestamptz := stats_day_start(p_from);
  v_to    timestamptz := stats_day_start(p_to);
  v_plans bigint[];
BEGIN
  WITH z AS (
    SELECT d.plan_id, d.day FROM promotion_plan_days d JOIN promotion_plans pl ON pl.id = d.plan_id
     WHERE (p_shop IS NULL OR pl.shop_id = p_shop) AND d.day >= p_from AND d.day < p_to
       AND d.day >= coalesce((SELECT impressions_from FROM stats_fold_state), '-infinity')
     ORDER BY d.plan_id, d.day
       FOR NO KEY UPDATE OF d
  ), u AS (
    UPDATE promotion_plan_days d SET impressions = 0
      FROM z WHERE d.plan_id = z.plan_id AND d.day = z.day AND d.impressions <> 0
  )
  SELECT array_agg(DISTINCT z.plan_id) INTO v_plans FROM z;
  UPDATE promotion_plans pl
     SET impressions = coalesce((SELECT sum(d.impressions) FROM promotion_plan_days d
                                  WHERE d.plan_id = pl.id), 0)
    FROM (SELECT x.id FROM promotion_plans x WHERE x.id = ANY (v_plans) ORDER BY x.id
            FOR NO KEY UPDATE) l
   WHERE pl.id = l.id;
  DELETE FROM stats_shop
   WHERE (p_shop IS NULL OR shop_id = p_shop) AND at >= v_from AND at < v_to;
  DELETE FROM stats_product
   WHERE (p_shop IS NULL OR shop_id = p_shop) AND day >= p_from AND day < p_to;
  DELETE FROM stats_coupon
   WHERE (p_shop IS NULL OR shop_id = p_shop) AND day >= p_from AND day < p_to;
  DELETE FROM stats_carrier
   WHERE (p_shop IS NULL OR shop_id = p_shop) AND day >= p_from AND day < p_to;
  DELETE FROM stats_shop_buyers
   WHERE (p_shop IS NULL OR shop_id = p_shop) AND day >= p_from AND day < p_to;
  DELETE FROM stats_shop_visitors
   WHERE (p_shop IS NULL OR shop_id = p_shop) AND day >= p_from AND day < p_to;
  DELETE FROM stats_product_buyers b USING products p
   WHERE p.id = b.product_id AND (p_shop IS NULL OR p.shop_id = p_shop)
     AND b.day >= p_from AND b.day < p_to;
  DELETE FROM stats_product_visitors v USING products p
   WHERE p.id = v.product_id AND (p_shop IS NULL OR p.shop_id = p_shop)
     AND v.day >= p_from AND v.day < p_to;
  DELETE FROM stats_cs_writers
   WHERE (p_shop IS NULL OR shop_id = p_shop) AND day >= p_from AND day < p_to;
  DELETE FROM stats_cs_rounds
   WHERE (p_shop IS NULL OR shop_id = p_shop) AND started_at >= v_from AND started_at < v_to;
  DELETE FROM stats_cs_due d USING conversations c
   WHERE c.id = d.conversation_id AND (p_shop IS NULL OR c.shop_id = p_shop)
     AND d.day >= p_from AND d.day < p_to;
  UPDATE stats_order_marks k
     SET marks = k.marks
                 & ~(CASE WHEN o.paid_at >= v_from AND o.paid_at < v_to THEN 1 ELSE 0 END
                     | CASE WHEN o.shipped_at >= v_from AND o.shipped_at < v_to THEN 2 ELSE 0 END
                     | CASE WHEN o.completed_at >= v_from AND o.completed_at < v_to THEN 4 ELSE 0 END
                    )::smallint
    FROM orders o
   WHERE o.id = k.order_id AND (p_shop IS NULL OR o.shop_id = p_shop)
     AND (o.paid_at >= v_from AND o.paid_at < v_to OR o.shipped_at >= v_from AND o.shipped_at < v_to
          OR o.completed_at >= v_from AND o.completed_at < v_to);
END
$$;
