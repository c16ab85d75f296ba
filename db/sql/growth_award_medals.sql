-- Awards the given shops every active medal whose active tasks they have
-- all done (a retired task no longer stands in the way) and that they do
-- not hold, each with its letter. The primary key of growth_shop_medals
-- makes an award once per shop and medal even when two evaluations run
-- together (the second waits for the first's row and skips it), and only
-- the insert that made the row writes the letter. Returns how many medals
-- it awarded.
CREATE OR REPLACE FUNCTION growth_award_medals(p_shops bigint[], p_now timestamptz)
RETURNS integer LANGUAGE plpgsql AS $$
DECLARE
  v_medals integer;
BEGIN
  WITH awarded AS (
    INSERT INTO growth_shop_medals (shop_id, medal_id, earned_at)
    SELECT s.id, m.id, p_now
      FROM unnest(p_shops) AS s (id) CROSS JOIN growth_medals m
     WHERE m.active
       AND EXISTS (SELECT 1 FROM growth_medal_tasks mt
                     JOIN growth_tasks t ON t.id = mt.task_id AND t.active
                    WHERE mt.medal_id = m.id)
       AND NOT EXISTS (SELECT 1 FROM growth_medal_tasks mt
                         JOIN growth_tasks t ON t.id = mt.task_id AND t.active
                         LEFT JOIN growth_shop_tasks g ON g.shop_id = s.id AND g.task_id = mt.task_id
                        WHERE mt.medal_id = m.id AND g.done_at IS NULL)
       AND NOT EXISTS (SELECT 1 FROM growth_shop_medals h WHERE h.shop_id = s.id AND h.medal_id = m.id)
     ORDER BY s.id, m.id
    ON CONFLICT (shop_id, medal_id) DO NOTHING
    RETURNING shop_id, medal_id)
  INSERT INTO letters (shop_id, kind, title, summary, body, order_count, delivered_at, medal_id)
  SELECT a.shop_id, 'medal', '勋章获得通知', format('恭喜获得「%s」', m.name),
         format('恭喜您的店铺获得「%s」。%s 可在勋章馆查看已获得的勋章及其经营特权。',
                m.name, m.description),
         0, p_now, m.id
    FROM awarded a JOIN growth_medals m ON m.id = a.medal_id;
  GET DIAGNOSTICS v_medals = ROW_COUNT;
  RETURN v_medals;
END
$$;
