-- Folds everything written by transactions in [p_lo, p_hi): the orders
-- they changed, their refunds, claims, views and promoted impressions, and
-- the conversation days
-- they wrote to, with the conversation days whose open round has come due.
CREATE OR REPLACE FUNCTION stats_fold_window(p_lo xid8, p_hi xid8, p_now timestamptz)
RETURNS void LANGUAGE plpgsql AS $$
DECLARE
  c record;
BEGIN
  INSERT INTO stats_work (id)
  SELECT id FROM orders WHERE change_xid >= p_lo AND change_xid < p_hi;
  PERFORM stats_fold_orders();
  PERFORM stats_fold_rows(p_lo, p_hi, NULL, '-infinity', 'infinity');
  PERFORM stats_fold_impressions(p_lo, p_hi, NULL, '-infinity', 'infinity');
  FOR c IN SELECT DISTINCT conversation_id, stats_day(created_at) AS day
             FROM messages WHERE fold_xid >= p_lo AND fold_xid < p_hi
           UNION
           SELECT conversation_id, day FROM stats_cs_due WHERE due_at <= p_now LOOP
    PERFORM stats_cs_day(c.conversation_id, c.day, p_now);
  END LOOP;
END
$$;
