-- A statement-level trigger, so that a job releasing a batch of orders in
-- one INSERT records their notices in one INSERT too.
CREATE OR REPLACE FUNCTION letter_notices_record() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO letter_notices (action_id, shop_id, order_id, kind, acted_at)
  SELECT a.id, a.shop_id, a.order_id,
         CASE a.action WHEN 'hold' THEN 'hold' WHEN 'extend' THEN 'extend' ELSE 'result' END,
         a.created_at
    FROM added a ORDER BY a.id;
  RETURN NULL;
END
$$;
