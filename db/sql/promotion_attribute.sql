-- Trigger of order_items (AFTER INSERT, each line): attributes the order to
-- the plan of the buyer's last click of the line's product made within the
-- 7 days up to the order's creation (any recorded click, charged or not:
-- the promotion brought the buyer either way). An order is attributed once,
-- to the latest such click among all its lines: a later line with a later
-- click takes the attribution over, an earlier one leaves it. One probe of
-- promotion_clicks_buyer per line.
CREATE OR REPLACE FUNCTION promotion_attribute() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
  v_order orders;
  v_click promotion_clicks;
BEGIN
  SELECT o.* INTO v_order FROM orders o WHERE o.id = NEW.order_id;
  SELECT c.* INTO v_click FROM promotion_clicks c
   WHERE c.buyer_id = v_order.buyer_id AND c.product_id = NEW.product_id
     AND c.created_at <= v_order.created_at
     AND c.created_at > v_order.created_at - interval '7 days'
   ORDER BY c.created_at DESC, c.impression_id DESC
   LIMIT 1;
  IF FOUND THEN
    INSERT INTO promotion_attributions AS a (order_id, plan_id, shop_id, product_id, buyer_id,
                                             impression_id, clicked_at, created_at)
    VALUES (v_order.id, v_click.plan_id, v_click.shop_id, v_click.product_id, v_order.buyer_id,
            v_click.impression_id, v_click.created_at, v_order.created_at)
    ON CONFLICT (order_id) DO UPDATE
      SET plan_id = EXCLUDED.plan_id, shop_id = EXCLUDED.shop_id, product_id = EXCLUDED.product_id,
          impression_id = EXCLUDED.impression_id, clicked_at = EXCLUDED.clicked_at
      WHERE (EXCLUDED.clicked_at, EXCLUDED.impression_id) > (a.clicked_at, a.impression_id);
  END IF;
  RETURN NULL;
END
$$;
