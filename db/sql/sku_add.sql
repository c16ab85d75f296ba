-- Adds a SKU to a live product of the merchant's shop ('not_found' else). A
-- product has at most 50 SKUs ('invalid_state' past that): the product row
-- is locked before counting, so concurrent adds count each other. NO KEY
-- UPDATE does not block the key-share locks of orders referencing it.
-- p_image, when not NULL, is the SKU's preview image: an entry of the
-- shop's image space ('invalid_field' else), key-share locked so that a
-- delete of it waits for this SKU and then sees it in use.
CREATE OR REPLACE FUNCTION sku_add(p_merchant bigint, p_shop bigint, p_product bigint, p_spec text,
                        p_price bigint, p_stock integer, p_image bigint, p_now timestamptz)
RETURNS TABLE (result text, sku_id bigint, image text) LANGUAGE plpgsql AS $$
BEGIN
  PERFORM 1 FROM products p JOIN shops s ON s.id = p.shop_id
   WHERE p.id = p_product AND p.shop_id = p_shop AND p.deleted_at IS NULL
     AND s.merchant_id = p_merchant
     FOR NO KEY UPDATE OF p;
  IF NOT FOUND THEN
    RETURN QUERY SELECT 'not_found', NULL::bigint, NULL::text;
    RETURN;
  END IF;
  IF p_image IS NOT NULL THEN
    SELECT '/media/' || i.sha256 || '_800.webp' INTO image
      FROM images i JOIN image_spaces sp ON sp.id = i.space_id
     WHERE i.id = p_image AND sp.shop_id = p_shop
       FOR KEY SHARE OF i;
    IF NOT FOUND THEN
      RETURN QUERY SELECT 'invalid_field', NULL::bigint, NULL::text;
      RETURN;
    END IF;
  END IF;
  IF (SELECT count(*) FROM skus k WHERE k.product_id = p_product) >= 50 THEN
    RETURN QUERY SELECT 'invalid_state', NULL::bigint, NULL::text;
  ELSE
    INSERT INTO skus (product_id, shop_id, spec, price_cents, stock, image_id, created_at,
                      updated_at)
    VALUES (p_product, p_shop, p_spec, p_price, p_stock, p_image, p_now, p_now)
    RETURNING id INTO sku_id;
    result := 'ok';
    RETURN NEXT;
  END IF;
END
$$;
