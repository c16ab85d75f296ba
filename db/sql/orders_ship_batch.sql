-- Ships each row on its own: a bad row is reported and never blocks the
-- others; a repeated order id is reported, not shipped twice.
-- p_items: [{"order_id": n, "carrier": s, "tracking_no": s}]
CREATE OR REPLACE FUNCTION orders_ship_batch(p_shop bigint, p_items jsonb, p_now timestamptz)
RETURNS TABLE (order_id bigint, result text) LANGUAGE plpgsql AS $$
DECLARE
  r    record;
  seen bigint[] := '{}';
BEGIN
  FOR r IN SELECT (e.item ->> 'order_id')::bigint AS id, e.item ->> 'carrier' AS carrier,
                  e.item ->> 'tracking_no' AS tracking_no
             FROM jsonb_array_elements(p_items) WITH ORDINALITY AS e (item, n)
            ORDER BY e.n LOOP
    order_id := r.id;
    IF r.id = ANY (seen) THEN
      result := 'duplicate_in_batch';
    ELSE
      seen := seen || r.id;
      result := order_ship(p_shop, r.id, r.carrier, r.tracking_no, p_now);
    END IF;
    RETURN NEXT;
  END LOOP;
END
$$;
