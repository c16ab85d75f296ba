-- Approves a pending entry (the caller locked it): the campaign stock of
-- each of its SKUs is carved out of the SKU's stock, under the SKUs' row
-- locks taken in id order (as checkout takes them). 'out_of_stock' when a
-- SKU no longer has it, 'campaign_overlap' when a SKU is live in another
-- campaign whose run window overlaps (checked under the same locks; the
-- exclusion constraint on campaign_skus is the backstop), 'invalid_state'
-- once the campaign was cancelled or has ended. Nothing is written unless
-- the result is 'ok'. p_staff NULL: approved by the campaign (auto_approve).
CREATE OR REPLACE FUNCTION campaign_entry_approve(p_entry bigint, p_staff bigint, p_now timestamptz)
RETURNS text LANGUAGE plpgsql AS $$
DECLARE
  e campaign_entries;
  c campaigns;
BEGIN
  SELECT * INTO e FROM campaign_entries WHERE id = p_entry;
  SELECT * INTO c FROM campaigns WHERE id = e.campaign_id;
  IF e.status <> 'pending' OR c.cancelled_at IS NOT NULL OR p_now >= c.ends_at THEN
    RETURN 'invalid_state';
  END IF;
  PERFORM 1 FROM skus WHERE id IN (SELECT sku_id FROM campaign_skus WHERE entry_id = p_entry)
   ORDER BY id FOR UPDATE;
  IF EXISTS (SELECT 1 FROM campaign_skus cs JOIN skus s ON s.id = cs.sku_id
              WHERE cs.entry_id = p_entry AND s.stock < cs.campaign_stock) THEN
    RETURN 'out_of_stock';
  END IF;
  IF EXISTS (SELECT 1 FROM campaign_skus cs JOIN campaign_skus o
                ON o.sku_id = cs.sku_id AND o.state = 'live' AND o.run && cs.run
              WHERE cs.entry_id = p_entry) THEN
    RETURN 'campaign_overlap';
  END IF;
  UPDATE skus s SET stock = s.stock - cs.campaign_stock, updated_at = p_now
    FROM campaign_skus cs WHERE cs.entry_id = p_entry AND s.id = cs.sku_id;
  UPDATE campaign_skus SET state = 'live', stock = campaign_stock WHERE entry_id = p_entry;
  UPDATE campaign_entries SET status = 'approved', decided_at = p_now, decided_by = p_staff
   WHERE id = p_entry;
  INSERT INTO campaign_shop_stats (campaign_id, shop_id) VALUES (e.campaign_id, e.shop_id)
  ON CONFLICT DO NOTHING;
  INSERT INTO campaign_product_stats (campaign_id, product_id, shop_id)
  VALUES (e.campaign_id, e.product_id, e.shop_id) ON CONFLICT DO NOTHING;
  PERFORM campaign_letter(p_entry, p_now);
  RETURN 'ok';
END
$$;
