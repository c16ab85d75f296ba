-- Folds again, from the raw rows, what stats_forget forgot of the days
-- [p_from, p_to): the orders of the shop (NULL: all) with a fact on those
-- days, the append-only rows of those days written by transactions below
-- the watermark p_hi (those above it are the next fold's), and the
-- conversation days. Promoted impressions only of the days the log still
-- holds (stats_fold_state.impressions_from on), as stats_forget forgets
-- them.
CREATE OR REPLACE FUNCTION stats_refold(p_shop bigint, p_from date, p_to date, p_hi xid8,
                                        p_now timestamptz)
RETURNS void LANGUAGE plpgsql AS $$
DECLARE
  v_from timestamptz := stats_day_start(p_from);
  v_to   timestamptz := stats_day_start(p_to);
  c      record;
BEGIN
  INSERT INTO stats_work (id)
  SELECT id FROM orders
   WHERE (p_shop IS NULL OR shop_id = p_shop)
     AND (paid_at >= v_from AND paid_at < v_to OR shipped_at >= v_from AND shipped_at < v_to
          OR completed_at >= v_from AND completed_at < v_to);
  PERFORM stats_fold_orders();
  PERFORM stats_fold_rows('0', p_hi, p_shop, v_from, v_to);
  PERFORM stats_fold_impressions('0', p_hi, p_shop,
                                 greatest(v_from, stats_day_start((SELECT impressions_from
                                                                     FROM stats_fold_state))),
                                 v_to);
  FOR c IN SELECT DISTINCT conversation_id, stats_day(created_at) AS day
             FROM messages
            WHERE (p_shop IS NULL OR shop_id = p_shop) AND created_at >= v_from
              AND created_at < v_to LOOP
    PERFORM stats_cs_day(c.conversation_id, c.day, p_now);
  END LOOP;
END
$$;
