-- An order's campaign lines take their units: out of the campaign stock
-- (live rows only: order_create read them under the SKUs' locks, which it
-- still holds), onto the buyer's count for the per-buyer limit, and into
-- the shop's and the product's counters of the campaign.
CREATE OR REPLACE FUNCTION campaign_order_take(p_order bigint, p_buyer bigint) RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
  UPDATE campaign_skus cs SET stock = cs.stock - i.quantity, sold = cs.sold + i.quantity
    FROM order_items i
   WHERE i.order_id = p_order AND i.campaign_id IS NOT NULL
     AND cs.campaign_id = i.campaign_id AND cs.sku_id = i.sku_id AND cs.state = 'live';
  INSERT INTO campaign_buyer_units AS u (campaign_id, sku_id, buyer_id, n)
  SELECT i.campaign_id, i.sku_id, p_buyer, i.quantity
    FROM order_items i WHERE i.order_id = p_order AND i.campaign_id IS NOT NULL
  ON CONFLICT (campaign_id, sku_id, buyer_id) DO UPDATE SET n = u.n + excluded.n;
  UPDATE campaign_product_stats ps SET units = ps.units + x.units, gmv_cents = ps.gmv_cents + x.gmv
    FROM (SELECT i.campaign_id, i.product_id, sum(i.quantity) AS units,
                 sum(i.quantity * i.price_cents) AS gmv
            FROM order_items i WHERE i.order_id = p_order AND i.campaign_id IS NOT NULL
           GROUP BY 1, 2) x
   WHERE ps.campaign_id = x.campaign_id AND ps.product_id = x.product_id;
  UPDATE campaign_shop_stats ss SET units = ss.units + x.units, gmv_cents = ss.gmv_cents + x.gmv,
         orders = ss.orders + 1
    FROM (SELECT i.campaign_id, o.shop_id, sum(i.quantity) AS units,
                 sum(i.quantity * i.price_cents) AS gmv
            FROM order_items i JOIN orders o ON o.id = i.order_id
           WHERE i.order_id = p_order AND i.campaign_id IS NOT NULL GROUP BY 1, 2) x
   WHERE ss.campaign_id = x.campaign_id AND ss.shop_id = x.shop_id;
END
$$;
