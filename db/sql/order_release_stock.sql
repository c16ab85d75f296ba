-- Returns the stock of an order's lines to their SKUs. SKU rows are locked
-- in id order, as order_create does, so the two never deadlock. Campaign
-- lines give their units back through campaign_order_give_back.
CREATE OR REPLACE FUNCTION order_release_stock(p_order bigint) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
  PERFORM 1 FROM skus WHERE id IN (SELECT sku_id FROM order_items WHERE order_id = p_order)
   ORDER BY id FOR UPDATE;
  UPDATE skus s SET stock = s.stock + i.quantity
    FROM order_items i WHERE i.order_id = p_order AND s.id = i.sku_id AND i.campaign_id IS NULL;
  IF EXISTS (SELECT 1 FROM order_items WHERE order_id = p_order AND campaign_id IS NOT NULL) THEN
    PERFORM campaign_order_give_back(p_order);
  END IF;
END
$$;
