-- The delivery job: turns up to p_limit due notices into letters and
-- returns how many it took. Notices are claimed with SKIP LOCKED, so
-- instances running at once share them; two that both reach the letter
-- of the same shop, kind and hour meet on letters_one_per_hour, and the
-- second adds its lines to the first's letter (ON CONFLICT waits for the
-- first to commit). Letters are locked in (shop, kind, hour) order, so
-- two deliveries never deadlock.
CREATE OR REPLACE FUNCTION letters_deliver(p_now timestamptz, p_zone text, p_limit integer) RETURNS integer
LANGUAGE plpgsql AS $$
DECLARE
  g        record;
  v_letter bigint;
  v_n      integer := 0;
BEGIN
  FOR g IN
    WITH due AS (
      SELECT n.id, n.shop_id, n.kind, letter_due_at(n.acted_at, p_zone) AS due_at
        FROM letter_notices n
       WHERE n.letter_id IS NULL AND n.acted_at <= p_now
         AND letter_due_at(n.acted_at, p_zone) <= p_now
       ORDER BY n.acted_at, n.id
       LIMIT p_limit
         FOR UPDATE SKIP LOCKED)
    SELECT d.shop_id, d.kind, d.due_at, array_agg(d.id) AS ids
      FROM due d GROUP BY d.shop_id, d.kind, d.due_at ORDER BY d.shop_id, d.kind, d.due_at
  LOOP
    INSERT INTO letters AS l (shop_id, kind, title, summary, body, order_count, delivered_at)
    VALUES (g.shop_id, g.kind, letter_title(g.kind), '', '', 0, g.due_at)
    ON CONFLICT (shop_id, kind, delivered_at) DO UPDATE SET order_count = l.order_count
    RETURNING id INTO v_letter;
    UPDATE letter_notices SET letter_id = v_letter WHERE id = ANY (g.ids);
    PERFORM letter_compose(v_letter, p_zone);
    v_n := v_n + cardinality(g.ids);
  END LOOP;
  RETURN v_n;
END
$$;
