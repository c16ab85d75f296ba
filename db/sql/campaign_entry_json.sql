-- An entry as the API shows it, with its SKUs.
CREATE OR REPLACE FUNCTION campaign_entry_json(p_entry bigint) RETURNS jsonb
STABLE LANGUAGE sql AS $$
  SELECT jsonb_build_object(
           'id', e.id, 'campaign_id', e.campaign_id, 'shop_id', e.shop_id,
           'product_id', e.product_id, 'status', e.status, 'reason', e.reason,
           'created_at', campaign_ts(e.created_at), 'decided_at', campaign_ts(e.decided_at),
           'skus', (SELECT coalesce(jsonb_agg(jsonb_build_object(
                                      'sku_id', cs.sku_id,
                                      'campaign_price_cents', cs.campaign_price_cents,
                                      'campaign_stock', cs.campaign_stock,
                                      'stock_left', cs.stock, 'sold', cs.sold)
                                    ORDER BY cs.sku_id), '[]')
                      FROM campaign_skus cs WHERE cs.entry_id = e.id))
    FROM campaign_entries e WHERE e.id = p_entry
$$;
