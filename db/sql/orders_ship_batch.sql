-- Ships each row on its own: a bad row is reported and never blocks the
-- others; a repeated order is reported, not shipped twice.
-- p_items: [{"order_id": n | "order_sn": s, "carrier": s, "tracking_no": s}];
-- a row by order number ships the shop's order of that number (another
-- shop's, or none, is the row's 'not_found', like an id) and answers its id.
CREATE OR REPLACE FUNCTION orders_ship_batch(p_shop bigint, p_items jsonb, p_now timestamptz)
RETURNS TABLE (order_id bigint, result text) LANGUAGE plpgsql AS $$
DECLARE
  r    record;
  seen bigint[] := '{}';
BEGIN
  FOR r IN SELECT (e.item ->> 'order_id')::bigint AS id, e.item ->> 'order_sn' AS sn,
                  e.item ->> 'carrier' AS carrier, e.item ->> 'tracking_no' AS tracking_no
             FROM jsonb_array_elements(p_items) WITH ORDINALITY AS e (item, n)
            ORDER BY e.n LOOP
    order_id := r.id;
    IF r.sn IS NOT NULL THEN
      order_id := (SELECT o.id FROM orders o WHERE o.order_sn = r.sn AND o.shop_id = p_shop);
    END IF;
    IF order_id IS NULL THEN
      result := 'not_found';
    ELSIF order_id = ANY (seen) THEN
      result := 'duplicate_in_batch';
    ELSE
      seen := seen || order_id;
      result := order_ship(p_shop, order_id, r.carrier, r.tracking_no, p_now);
    END IF;
    RETURN NEXT;
  END LOOP;
END
$$;
