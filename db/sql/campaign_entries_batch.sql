-- One tap for many products: each product of p_products entered with every
-- one of its SKUs at p_discount_percent off its price (rounded down to the
-- fen) and p_stock_percent of its stock (rounded down), through
-- campaign_entry_create. A product's refusal writes nothing and does not
-- stop the others. One row per product, in the order given: 'ok' with the
-- entry, 'campaign_rules_failed' with its errors[] alone, or 'not_found' (not a
-- product of the shop). An unknown campaign ('not_found') or one whose
-- sign-up is not open ('invalid_state') is a single row with no product.
CREATE OR REPLACE FUNCTION campaign_entries_batch(p_merchant bigint, p_shop bigint, p_campaign bigint,
                                       p_discount_percent integer, p_stock_percent integer,
                                       p_products bigint[], p_now timestamptz)
RETURNS TABLE (product_id bigint, result text, body jsonb) LANGUAGE plpgsql AS $$
DECLARE
  c         campaigns;
  v_product bigint;
  v_skus    jsonb;
  r         record;
BEGIN
  SELECT * INTO c FROM campaigns WHERE id = p_campaign;
  IF NOT FOUND THEN
    RETURN QUERY SELECT NULL::bigint, 'not_found', NULL::jsonb;
    RETURN;
  END IF;
  IF campaign_status(c, p_now) <> 'signup_open' THEN
    RETURN QUERY SELECT NULL::bigint, 'invalid_state', NULL::jsonb;
    RETURN;
  END IF;
  FOREACH v_product IN ARRAY p_products LOOP
    SELECT coalesce(jsonb_agg(jsonb_build_object(
             'sku_id', s.id,
             'campaign_price_cents', greatest(1, s.price_cents * (100 - p_discount_percent) / 100),
             'campaign_stock', s.stock * p_stock_percent / 100) ORDER BY s.id), '[]')
      INTO v_skus
      FROM skus s JOIN products p ON p.id = s.product_id
     WHERE s.product_id = v_product AND p.shop_id = p_shop;
    SELECT * INTO r FROM campaign_entry_create(p_merchant, p_shop, p_campaign, v_product, v_skus, p_now);
    product_id := v_product;
    result := r.result;
    body := CASE WHEN r.result = 'campaign_rules_failed' THEN r.body -> 'errors' ELSE r.body END;
    RETURN NEXT;
  END LOOP;
END
$$;
