-- Enters a product of the merchant's shop in a campaign whose sign-up is
-- open, with a campaign price and stock per SKU (p_skus: [{"sku_id",
-- "campaign_price_cents", "campaign_stock"}], distinct SKUs, checked by the
-- handler). 'not_found' for another merchant's shop or product, a product
-- of another shop or an unknown campaign; 'invalid_state' outside sign-up
-- or for a cancelled campaign. Every rule that fails is reported and
-- nothing is written ('campaign_rules_failed', body {"errors": [{
-- "field", "message", "sku_id", "code"}]}; field "product_id" and sku_id
-- null for the entry's own rules, "skus[i]" for a SKU's):
--   no_skus                 no SKU given (a batch's product without any)
--   product_unavailable     the product is not on sale
--   already_entered         the product has a pending or approved entry
--   max_products_reached    the shop has max_products_per_shop entries (plus
--                           its medals' campaign_products_bonus, shop_limits)
--   unknown_sku             not a SKU of the product
--   price_above_30_day_low  above the SKU's lowest price of the last 30 days
--   discount_too_small      less than min_discount_percent off its price
--   stock_too_small         below min_campaign_stock
--   stock_above_available   more than the SKU's stock
--   in_other_campaign       live in another campaign whose run overlaps
-- The shop row is locked first (entries of one shop count each other
-- against max_products_per_shop), the campaign row shared (its rules hold
-- while it is read), then the SKUs in id order. Campaigns that approve
-- automatically approve the entry at once, under the same locks.
CREATE OR REPLACE FUNCTION campaign_entry_create(p_merchant bigint, p_shop bigint, p_campaign bigint,
                                      p_product bigint, p_skus jsonb, p_now timestamptz)
RETURNS TABLE (result text, body jsonb) LANGUAGE plpgsql AS $$
DECLARE
  c        campaigns;
  v_status text;
  v_errors jsonb := '[]';
  v_entry  bigint;
  v_code   text;
BEGIN
  PERFORM 1 FROM shops WHERE id = p_shop AND merchant_id = p_merchant FOR NO KEY UPDATE;
  IF NOT FOUND THEN
    RETURN QUERY SELECT 'not_found', NULL::jsonb;
    RETURN;
  END IF;
  SELECT * INTO c FROM campaigns WHERE id = p_campaign FOR SHARE;
  IF NOT FOUND THEN
    RETURN QUERY SELECT 'not_found', NULL::jsonb;
    RETURN;
  END IF;
  SELECT p.status INTO v_status FROM products p
   WHERE p.id = p_product AND p.shop_id = p_shop AND p.deleted_at IS NULL;
  IF NOT FOUND THEN
    RETURN QUERY SELECT 'not_found', NULL::jsonb;
    RETURN;
  END IF;
  IF campaign_status(c, p_now) <> 'signup_open' THEN
    RETURN QUERY SELECT 'invalid_state', NULL::jsonb;
    RETURN;
  END IF;

  IF jsonb_array_length(p_skus) = 0 THEN
    v_errors := v_errors || jsonb_build_object('index', NULL, 'sku_id', NULL, 'code', 'no_skus');
  END IF;
  IF v_status <> 'on_sale' THEN
    v_errors := v_errors || jsonb_build_object('index', NULL, 'sku_id', NULL, 'code', 'product_unavailable');
  END IF;
  IF EXISTS (SELECT 1 FROM campaign_entries WHERE campaign_id = p_campaign
                AND product_id = p_product AND status IN ('pending', 'approved')) THEN
    v_errors := v_errors || jsonb_build_object('index', NULL, 'sku_id', NULL, 'code', 'already_entered');
  ELSIF (SELECT count(*) FROM campaign_entries WHERE campaign_id = p_campaign AND shop_id = p_shop
            AND status IN ('pending', 'approved'))
        >= c.max_products_per_shop + (shop_limits(p_shop)).campaign_products_bonus THEN
    v_errors := v_errors || jsonb_build_object('index', NULL, 'sku_id', NULL,
                                               'code', 'max_products_reached');
  END IF;

  PERFORM 1 FROM skus WHERE product_id = p_product
     AND id IN (SELECT (e ->> 'sku_id')::bigint FROM jsonb_array_elements(p_skus) e)
   ORDER BY id FOR UPDATE;
  SELECT v_errors || coalesce(jsonb_agg(jsonb_build_object('index', x.n - 1, 'sku_id', x.sku_id,
                                                           'code', x.code) ORDER BY x.n, x.k), '[]')
    INTO v_errors
    FROM (SELECT i.n, i.sku_id, k.k, k.code
            FROM ROWS FROM (jsonb_to_recordset(p_skus)
                              AS (sku_id bigint, campaign_price_cents bigint, campaign_stock integer))
                 WITH ORDINALITY AS i (sku_id, campaign_price_cents, campaign_stock, n)
            LEFT JOIN skus s ON s.id = i.sku_id AND s.product_id = p_product
            CROSS JOIN LATERAL (VALUES
              (1, CASE WHEN s.id IS NULL THEN 'unknown_sku' END),
              (2, CASE WHEN i.campaign_price_cents
                              > sku_price_low_30d(s.id, s.price_cents, p_now)
                       THEN 'price_above_30_day_low' END),
              (3, CASE WHEN i.campaign_price_cents * 100 > s.price_cents * (100 - c.min_discount_percent)
                       THEN 'discount_too_small' END),
              (4, CASE WHEN i.campaign_stock < c.min_campaign_stock THEN 'stock_too_small' END),
              (5, CASE WHEN i.campaign_stock > s.stock THEN 'stock_above_available' END),
              (6, CASE WHEN EXISTS (SELECT 1 FROM campaign_skus o
                                     WHERE o.sku_id = s.id AND o.state = 'live'
                                       AND o.run && tstzrange(c.starts_at, c.ends_at))
                       THEN 'in_other_campaign' END)) AS k (k, code)
           WHERE k.code IS NOT NULL) x;
  IF jsonb_array_length(v_errors) > 0 THEN
    SELECT jsonb_agg(jsonb_build_object(
             'field', CASE WHEN e ->> 'index' IS NULL THEN 'product_id'
                           ELSE 'skus[' || (e ->> 'index') || ']' END,
             'message', CASE e ->> 'code'
               WHEN 'no_skus' THEN 'the product has no SKU to enter'
               WHEN 'product_unavailable' THEN 'the product is not on sale'
               WHEN 'already_entered' THEN 'the product is entered in this campaign already'
               WHEN 'max_products_reached' THEN 'the shop has entered as many products as the campaign takes'
               WHEN 'unknown_sku' THEN 'not a SKU of the product'
               WHEN 'price_above_30_day_low' THEN 'the campaign price is above the lowest price of the last 30 days'
               WHEN 'discount_too_small' THEN 'the discount is smaller than the campaign asks'
               WHEN 'stock_too_small' THEN 'the campaign stock is below the campaign''s minimum'
               WHEN 'stock_above_available' THEN 'the campaign stock is more than the SKU has'
               ELSE 'the SKU is in another campaign at that time' END,
             'sku_id', (e -> 'sku_id'), 'code', e ->> 'code') ORDER BY n)
      INTO v_errors FROM jsonb_array_elements(v_errors) WITH ORDINALITY AS x (e, n);
    RETURN QUERY SELECT 'campaign_rules_failed', jsonb_build_object('errors', v_errors);
    RETURN;
  END IF;

  INSERT INTO campaign_entries (campaign_id, shop_id, product_id, status, created_at)
  VALUES (p_campaign, p_shop, p_product, 'pending', p_now) RETURNING id INTO v_entry;
  INSERT INTO campaign_skus (entry_id, sku_id, campaign_id, shop_id, product_id,
                             campaign_price_cents, campaign_stock, per_buyer_limit, allow_coupons, run)
  SELECT v_entry, i.sku_id, p_campaign, p_shop, p_product, i.campaign_price_cents, i.campaign_stock,
         c.per_buyer_limit, c.allow_coupons, tstzrange(c.starts_at, c.ends_at)
    FROM jsonb_to_recordset(p_skus) AS i (sku_id bigint, campaign_price_cents bigint,
                                          campaign_stock integer);
  IF c.auto_approve THEN
    v_code := campaign_entry_approve(v_entry, NULL, p_now);
    IF v_code <> 'ok' THEN  -- the checks above were made under the same locks
      RAISE EXCEPTION 'campaign_entry_create: automatic approval of entry % refused: %', v_entry, v_code;
    END IF;
  END IF;
  RETURN QUERY SELECT 'ok', campaign_entry_json(v_entry);
END
$$;
