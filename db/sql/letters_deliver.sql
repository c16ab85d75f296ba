-- The delivery job: turns due notices into letters and returns how many
-- notices it delivered. It picks the (shop, kind, hour) groups of the first
-- p_limit due notices and delivers each group whole, so a letter is written
-- once, by one transaction, and never changes after: a letter holds the
-- notices pending when it went out, and a notice that arrives later (taken
-- at or after the delivery instant, or committed late) waits for the next
-- delivery hour (letter_notices.due_at).
--
-- Several instances may run it at once. The groups' notices are locked in
-- (shop, kind, hour, id) order, so two deliveries never deadlock; one that
-- meets a group another is delivering waits for it, then finds those
-- notices delivered. Notices left over (committed after the letter's
-- transaction read them) meet the letter on letters_one_per_hour: ON
-- CONFLICT DO NOTHING waits for the letter's transaction, and they move to
-- the next hour.
CREATE OR REPLACE FUNCTION letters_deliver(p_now timestamptz, p_zone text, p_limit integer) RETURNS integer
LANGUAGE plpgsql AS $$
DECLARE
  g        record;
  v_ids    bigint[];
  v_letter bigint;
  v_n      integer := 0;
BEGIN
  FOR g IN
    SELECT DISTINCT d.shop_id, d.kind, d.due_at
      FROM (SELECT n.shop_id, n.kind, coalesce(n.due_at, letter_due_at(n.acted_at, p_zone)) AS due_at
              FROM letter_notices n
             WHERE n.letter_id IS NULL AND n.acted_at <= p_now
               AND coalesce(n.due_at, letter_due_at(n.acted_at, p_zone)) <= p_now
             ORDER BY n.acted_at, n.id
             LIMIT p_limit) d
     ORDER BY d.shop_id, d.kind, d.due_at
  LOOP
    SELECT array_agg(x.id) INTO v_ids
      FROM (SELECT n.id FROM letter_notices n
             WHERE n.letter_id IS NULL AND n.shop_id = g.shop_id AND n.kind = g.kind
               AND n.acted_at <= p_now
               AND coalesce(n.due_at, letter_due_at(n.acted_at, p_zone)) = g.due_at
             ORDER BY n.id
               FOR UPDATE) x;
    CONTINUE WHEN v_ids IS NULL;
    v_letter := NULL;
    INSERT INTO letters (shop_id, kind, title, summary, body, order_count, delivered_at)
    VALUES (g.shop_id, g.kind, letter_title(g.kind), '', '', 0, g.due_at)
    ON CONFLICT (shop_id, kind, delivered_at) WHERE kind IN ('hold', 'result', 'extend') DO NOTHING
    RETURNING id INTO v_letter;
    IF v_letter IS NULL THEN
      -- That hour's letter went out without them: the next delivery hour.
      UPDATE letter_notices SET due_at = letter_due_at(g.due_at + interval '1 microsecond', p_zone)
       WHERE id = ANY (v_ids);
      CONTINUE;
    END IF;
    UPDATE letter_notices SET letter_id = v_letter WHERE id = ANY (v_ids);
    PERFORM letter_compose(v_letter, p_zone);
    v_n := v_n + cardinality(v_ids);
  END LOOP;
  RETURN v_n;
END
$$;
