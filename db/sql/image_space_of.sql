-- The image space of a merchant's shop (p_shop, p_merchant) or of a buyer
-- (p_buyer), made on first use; NULL when the merchant has no such shop.
-- The quota is set when the space is made: a shop keeps 1 GiB and 10,000
-- images, a buyer 200 MB and 10,000.
CREATE OR REPLACE FUNCTION image_space_of(p_merchant bigint, p_shop bigint, p_buyer bigint)
RETURNS bigint
LANGUAGE plpgsql AS $$
DECLARE
  v_space bigint;
BEGIN
  IF p_shop IS NOT NULL THEN
    SELECT sp.id INTO v_space FROM image_spaces sp JOIN shops s ON s.id = sp.shop_id
     WHERE sp.shop_id = p_shop AND s.merchant_id = p_merchant;
    IF FOUND THEN
      RETURN v_space;
    END IF;
    PERFORM 1 FROM shops s WHERE s.id = p_shop AND s.merchant_id = p_merchant;
    IF NOT FOUND THEN
      RETURN NULL;
    END IF;
    INSERT INTO image_spaces (shop_id, bytes_max, images_max)
    VALUES (p_shop, 1073741824, 10000) ON CONFLICT (shop_id) DO NOTHING;
    SELECT sp.id INTO v_space FROM image_spaces sp WHERE sp.shop_id = p_shop;
    RETURN v_space;
  END IF;
  SELECT sp.id INTO v_space FROM image_spaces sp WHERE sp.buyer_id = p_buyer;
  IF FOUND OR p_buyer IS NULL THEN
    RETURN v_space;
  END IF;
  INSERT INTO image_spaces (buyer_id, bytes_max, images_max)
  VALUES (p_buyer, 209715200, 10000) ON CONFLICT (buyer_id) DO NOTHING;
  SELECT sp.id INTO v_space FROM image_spaces sp WHERE sp.buyer_id = p_buyer;
  RETURN v_space;
END
$$;
COMMENT ON FUNCTION image_space_of(bigint, bigint, bigint) IS
  'the image space of a merchant''s shop or of a buyer, made on first use; NULL for another merchant''s shop';
