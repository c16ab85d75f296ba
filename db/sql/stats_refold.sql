-- Folds again, from the raw rows, what stats_forget forgot: the orders of
-- the shop (NULL: all) with a fact from p_from on, the append-only rows of
-- transactions below the watermark p_hi from p_from on (those above it are
-- the next fold's), and the conversation days from p_from on.
CREATE OR REPLACE FUNCTION stats_refold(p_shop bigint, p_from date, p_hi xid8, p_now timestamptz)
RETURNS void LANGUAGE plpgsql AS $$
DECLARE
  v_at timestamptz := stats_day_start(p_from);
  c    record;
BEGIN
  INSERT INTO stats_work (id)
  SELECT id FROM orders
   WHERE (p_shop IS NULL OR shop_id = p_shop)
     AND (paid_at >= v_at OR shipped_at >= v_at OR completed_at >= v_at);
  PERFORM stats_fold_orders();
  PERFORM stats_fold_rows('0', p_hi, p_shop, v_at);
  FOR c IN SELECT DISTINCT conversation_id, stats_day(created_at) AS day
             FROM messages
            WHERE (p_shop IS NULL OR shop_id = p_shop) AND created_at >= v_at LOOP
    PERFORM stats_cs_day(c.conversation_id, c.day, p_now);
  END LOOP;
END
$$;
