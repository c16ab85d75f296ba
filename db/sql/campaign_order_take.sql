-- An order's campaign lines take their units, last in order_create: onto
-- the buyer's count by a guarded upsert per line (within per_buyer_limit;
-- else SQLSTATE MC002 with the SKU as the message), then out of the
-- campaign stock by a guarded UPDATE per line in SKU order (a live row with
-- the units left; else MC001), then into the product's and the shop's
-- counters of the campaign. The buyer's rows come first because only that
-- buyer's orders wait on them: every order of a flash sale queues on the
-- campaign SKU's row from its UPDATE to the commit, and what comes after
-- that UPDATE is the whole of the sale's serial part. The row locks these
-- take are the only ones a campaign SKU's order holds; order_create turns
-- MC001 and MC002 into its result codes and undoes what the order wrote.
CREATE OR REPLACE FUNCTION campaign_order_take(p_order bigint, p_buyer bigint) RETURNS void
LANGUAGE plpgsql AS $$
DECLARE
  l record;
BEGIN
  FOR l IN SELECT i.sku_id, i.campaign_id, i.quantity
             FROM order_items i
            WHERE i.order_id = p_order AND i.campaign_id IS NOT NULL ORDER BY i.sku_id LOOP
    INSERT INTO campaign_buyer_units AS u (campaign_id, sku_id, buyer_id, n)
    SELECT l.campaign_id, l.sku_id, p_buyer, l.quantity
      FROM campaign_skus cs
     WHERE cs.campaign_id = l.campaign_id AND cs.sku_id = l.sku_id AND cs.state = 'live'
       AND l.quantity <= cs.per_buyer_limit
    ON CONFLICT (campaign_id, sku_id, buyer_id) DO UPDATE SET n = u.n + excluded.n
     WHERE u.n + excluded.n <= (SELECT cs.per_buyer_limit FROM campaign_skus cs
                                 WHERE cs.campaign_id = u.campaign_id AND cs.sku_id = u.sku_id
                                   AND cs.state = 'live');
    IF NOT FOUND THEN
      -- Out of stock (or no longer live) says more than the limit, as the
      -- stock's UPDATE below would have said first.
      IF EXISTS (SELECT 1 FROM campaign_skus cs
                  WHERE cs.campaign_id = l.campaign_id AND cs.sku_id = l.sku_id
                    AND cs.state = 'live' AND cs.stock >= l.quantity) THEN
        RAISE SQLSTATE 'MC002' USING MESSAGE = l.sku_id::text;
      END IF;
      RAISE SQLSTATE 'MC001' USING MESSAGE = l.sku_id::text;
    END IF;
  END LOOP;
  FOR l IN SELECT i.sku_id, i.campaign_id, i.quantity
             FROM order_items i
            WHERE i.order_id = p_order AND i.campaign_id IS NOT NULL ORDER BY i.sku_id LOOP
    UPDATE campaign_skus SET stock = stock - l.quantity, sold = sold + l.quantity
     WHERE campaign_id = l.campaign_id AND sku_id = l.sku_id AND state = 'live'
       AND stock >= l.quantity;
    IF NOT FOUND THEN
      RAISE SQLSTATE 'MC001' USING MESSAGE = l.sku_id::text;
    END IF;
  END LOOP;
  -- The counters in key order, so that two orders never wait on each other
  -- the other way round.
  FOR l IN SELECT i.campaign_id, i.product_id, sum(i.quantity) AS units,
                  sum(i.quantity * i.price_cents) AS gmv
             FROM order_items i WHERE i.order_id = p_order AND i.campaign_id IS NOT NULL
            GROUP BY 1, 2 ORDER BY 1, 2 LOOP
    UPDATE campaign_product_stats SET units = units + l.units, gmv_cents = gmv_cents + l.gmv
     WHERE campaign_id = l.campaign_id AND product_id = l.product_id;
  END LOOP;
  UPDATE campaign_shop_stats ss SET units = ss.units + x.units, gmv_cents = ss.gmv_cents + x.gmv,
         orders = ss.orders + 1
    FROM (SELECT i.campaign_id, o.shop_id, sum(i.quantity) AS units,
                 sum(i.quantity * i.price_cents) AS gmv
            FROM order_items i JOIN orders o ON o.id = i.order_id
           WHERE i.order_id = p_order AND i.campaign_id IS NOT NULL GROUP BY 1, 2 ORDER BY 1) x
   WHERE ss.campaign_id = x.campaign_id AND ss.shop_id = x.shop_id;
END
$$;
