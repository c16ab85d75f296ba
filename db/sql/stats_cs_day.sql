-- Recomputes one conversation's customer-service figures of one day from
-- its messages and folds the difference to what was folded before, so
-- messages folded in any order, late or again, end in the figures the
-- definitions give (docs/data.md, Customer service):
-- - the buyer as a writer of the day (first and last message, counted in
--   the bucket of the first), converted when an order of the buyer at the
--   shop already folded as paid falls between the first message and 24 h
--   after the last (stats_fold_orders converts on later payments);
-- - the rounds: a buyer message opens one when none is open, the first
--   merchant message ends it, auto-replies do nothing, and an open round
--   ends unanswered 600 s after its start. Rounds starting 08:00-23:00
--   count once final; one still open at p_now is looked at again when its
--   600 s have passed (stats_cs_due).
CREATE OR REPLACE FUNCTION stats_cs_day(p_conversation bigint, p_day date, p_now timestamptz)
RETURNS void LANGUAGE plpgsql AS $$
DECLARE
  v_from   timestamptz := stats_day_start(p_day);
  v_to     timestamptz := stats_day_start(p_day + 1);
  v_shop   bigint;
  v_buyer  bigint;
  v_first  timestamptz;
  v_last   timestamptz;
  v_conv   boolean;
  w        stats_cs_writers;
  m        record;
  v_start  timestamptz;
  v_opener bigint;
  v_due    timestamptz;
  v_ids    bigint[] := '{}';
  v_starts timestamptz[] := '{}';
  v_secs   integer[] := '{}';
BEGIN
  SELECT shop_id, buyer_id INTO v_shop, v_buyer FROM conversations WHERE id = p_conversation;

  SELECT min(created_at), max(created_at) INTO v_first, v_last
    FROM messages
   WHERE conversation_id = p_conversation AND created_at >= v_from AND created_at < v_to
     AND sender = 'buyer';
  SELECT * INTO w FROM stats_cs_writers
   WHERE shop_id = v_shop AND day = p_day AND buyer_id = v_buyer;
  IF v_first IS NOT NULL
     AND (w.first_at IS NULL OR w.first_at <> v_first OR w.last_at <> v_last) THEN
    v_conv := coalesce(w.converted, false) OR EXISTS (
      SELECT 1 FROM orders o JOIN stats_order_marks k ON k.order_id = o.id
       WHERE o.buyer_id = v_buyer AND o.shop_id = v_shop AND k.marks & 1 <> 0
         AND o.paid_at >= v_first AND o.paid_at <= v_last + interval '24 hours');
    INSERT INTO stats_delta (shop_id, at, cs_buyers, cs_converted)
    SELECT v_shop, w.first_at, -1, -(w.converted::int) WHERE w.first_at IS NOT NULL
    UNION ALL
    SELECT v_shop, v_first, 1, v_conv::int;
    INSERT INTO stats_cs_writers AS t (shop_id, day, buyer_id, first_at, last_at, converted)
    VALUES (v_shop, p_day, v_buyer, v_first, v_last, v_conv)
    ON CONFLICT (shop_id, day, buyer_id) DO UPDATE
       SET first_at = EXCLUDED.first_at, last_at = EXCLUDED.last_at, converted = EXCLUDED.converted;
  END IF;

  FOR m IN SELECT id, sender, created_at FROM messages
            WHERE conversation_id = p_conversation AND created_at >= v_from AND created_at < v_to
              AND sender <> 'auto'
            ORDER BY created_at, id LOOP
    IF v_start IS NOT NULL AND m.created_at >= v_start + interval '600 seconds' THEN
      v_ids := v_ids || v_opener;
      v_starts := v_starts || v_start;
      v_secs := v_secs || 600;
      v_start := NULL;
    END IF;
    IF m.sender = 'buyer' AND v_start IS NULL THEN
      v_start := m.created_at;
      v_opener := m.id;
    ELSIF m.sender = 'merchant' AND v_start IS NOT NULL THEN
      v_ids := v_ids || v_opener;
      v_starts := v_starts || v_start;
      v_secs := v_secs || floor(extract(epoch FROM m.created_at - v_start))::integer;
      v_start := NULL;
    END IF;
  END LOOP;
  IF v_start IS NOT NULL THEN
    IF v_start + interval '600 seconds' <= p_now THEN
      v_ids := v_ids || v_opener;
      v_starts := v_starts || v_start;
      v_secs := v_secs || 600;
    ELSE
      v_due := v_start + interval '600 seconds';
    END IF;
  END IF;

  WITH n AS (SELECT message_id, started_at, secs
               FROM unnest(v_ids, v_starts, v_secs) AS r (message_id, started_at, secs)
              WHERE (started_at AT TIME ZONE platform_zone())::time >= '08:00'
                AND (started_at AT TIME ZONE platform_zone())::time < '23:00'),
  o AS (SELECT message_id, started_at, response_secs AS secs FROM stats_cs_rounds
         WHERE conversation_id = p_conversation AND started_at >= v_from AND started_at < v_to),
  gone AS (SELECT * FROM o EXCEPT SELECT * FROM n),
  came AS (SELECT * FROM n EXCEPT SELECT * FROM o),
  d AS (DELETE FROM stats_cs_rounds r USING gone g
         WHERE r.conversation_id = p_conversation AND r.message_id = g.message_id
           AND g.message_id NOT IN (SELECT message_id FROM came)),
  i AS (INSERT INTO stats_cs_rounds AS r (conversation_id, message_id, started_at, shop_id,
                                          response_secs)
        SELECT p_conversation, message_id, started_at, v_shop, secs FROM came
        ON CONFLICT (conversation_id, message_id) DO UPDATE
           SET started_at = EXCLUDED.started_at, response_secs = EXCLUDED.response_secs)
  INSERT INTO stats_delta (shop_id, at, cs_rounds, cs_rounds_3min, cs_response_secs)
  SELECT v_shop, started_at, -1, -((secs <= 180)::int), -secs FROM gone
  UNION ALL
  SELECT v_shop, started_at, 1, (secs <= 180)::int, secs FROM came;

  IF v_due IS NOT NULL THEN
    INSERT INTO stats_cs_due (conversation_id, day, due_at) VALUES (p_conversation, p_day, v_due)
    ON CONFLICT (conversation_id, day) DO UPDATE SET due_at = EXCLUDED.due_at;
  ELSE
    DELETE FROM stats_cs_due WHERE conversation_id = p_conversation AND day = p_day;
  END IF;
END
$$;
