-- An order that closes gives its campaign units back: to the campaign stock
-- while the campaign's SKU is live, else (the campaign ended or was
-- cancelled, its stock returned) to the SKU's stock; off the buyer's count
-- and the campaign's counters either way. The caller holds the SKUs' locks.
CREATE OR REPLACE FUNCTION campaign_order_give_back(p_order bigint) RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
  -- The buyer's rows first, as campaign_order_take takes them.
  UPDATE campaign_buyer_units u SET n = u.n - i.quantity
    FROM order_items i JOIN orders o ON o.id = i.order_id
   WHERE i.order_id = p_order AND u.campaign_id = i.campaign_id AND u.sku_id = i.sku_id
     AND u.buyer_id = o.buyer_id;
  UPDATE skus s SET stock = s.stock + i.quantity
    FROM order_items i JOIN campaign_skus cs
      ON cs.campaign_id = i.campaign_id AND cs.sku_id = i.sku_id AND cs.state = 'returned'
   WHERE i.order_id = p_order AND s.id = i.sku_id;
  UPDATE campaign_skus cs
     SET stock = cs.stock + CASE WHEN cs.state = 'live' THEN i.quantity ELSE 0 END,
         sold = cs.sold - i.quantity
    FROM order_items i
   WHERE i.order_id = p_order AND cs.campaign_id = i.campaign_id AND cs.sku_id = i.sku_id
     AND cs.state <> 'idle';
  UPDATE campaign_product_stats ps SET units = ps.units - x.units, gmv_cents = ps.gmv_cents - x.gmv
    FROM (SELECT i.campaign_id, i.product_id, sum(i.quantity) AS units,
                 sum(i.quantity * i.price_cents) AS gmv
            FROM order_items i WHERE i.order_id = p_order AND i.campaign_id IS NOT NULL
           GROUP BY 1, 2) x
   WHERE ps.campaign_id = x.campaign_id AND ps.product_id = x.product_id;
  UPDATE campaign_shop_stats ss SET units = ss.units - x.units, gmv_cents = ss.gmv_cents - x.gmv,
         orders = ss.orders - 1
    FROM (SELECT i.campaign_id, o.shop_id, sum(i.quantity) AS units,
                 sum(i.quantity * i.price_cents) AS gmv
            FROM order_items i JOIN orders o ON o.id = i.order_id
           WHERE i.order_id = p_order AND i.campaign_id IS NOT NULL GROUP BY 1, 2) x
   WHERE ss.campaign_id = x.campaign_id AND ss.shop_id = x.shop_id;
END
$$;
