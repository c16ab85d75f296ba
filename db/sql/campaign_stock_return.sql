-- Gives the unsold stock of a campaign's live SKUs back to the SKUs and
-- marks them returned. SKU rows are locked in id order first, as checkout
-- and approval lock them, so none of the three deadlocks with another.
-- Orders of those SKUs then sell at the regular price from the SKU's stock.
CREATE OR REPLACE FUNCTION campaign_stock_return(p_campaign bigint) RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
  PERFORM 1 FROM skus WHERE id IN (SELECT sku_id FROM campaign_skus
                                    WHERE campaign_id = p_campaign AND state = 'live')
   ORDER BY id FOR UPDATE;
  UPDATE skus s SET stock = s.stock + cs.stock
    FROM campaign_skus cs
   WHERE cs.campaign_id = p_campaign AND cs.state = 'live' AND s.id = cs.sku_id AND cs.stock > 0;
  UPDATE campaign_skus SET state = 'returned', stock = 0
   WHERE campaign_id = p_campaign AND state = 'live';
END
$$;
