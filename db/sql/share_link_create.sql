-- Makes the share link of one shop, product (NULL: the shop page) and
-- channel, or finds the live one that exists (POST /v1/shops/{id}/share-links
-- is idempotent by its body). p_codes: candidate codes made by merchantd
-- (libsodium randombytes), tried in order should one be taken already.
--
-- Returns one row: 'not_found' (no such shop of p_merchant),
-- 'invalid_product' (no such live product of the shop), or 'ok' with the
-- link and whether this call created it. Two calls at once for the same
-- link: the second waits on the first's row and then reads it.
CREATE OR REPLACE FUNCTION share_link_create(p_merchant bigint, p_shop bigint, p_product bigint,
                                             p_channel text, p_codes text[], p_now timestamptz)
RETURNS TABLE (code text, created boolean, link share_links)
LANGUAGE plpgsql AS $$
DECLARE
  v_link share_links;
  v_code text;
BEGIN
  PERFORM 1 FROM shops s WHERE s.id = p_shop AND s.merchant_id = p_merchant;
  IF NOT FOUND THEN
    RETURN QUERY SELECT 'not_found'::text, false, NULL::share_links;
    RETURN;
  END IF;
  IF p_product IS NOT NULL THEN
    PERFORM 1 FROM products p WHERE p.id = p_product AND p.shop_id = p_shop AND p.deleted_at IS NULL;
    IF NOT FOUND THEN
      RETURN QUERY SELECT 'invalid_product'::text, false, NULL::share_links;
      RETURN;
    END IF;
  END IF;
  FOREACH v_code IN ARRAY p_codes LOOP
    INSERT INTO share_links AS l (shop_id, product_id, channel, code, created_by, created_at)
    VALUES (p_shop, p_product, p_channel, v_code, p_merchant, p_now)
    ON CONFLICT DO NOTHING
    RETURNING l.* INTO v_link;
    IF FOUND THEN
      RETURN QUERY SELECT 'ok'::text, true, v_link;
      RETURN;
    END IF;
    SELECT l.* INTO v_link FROM share_links l
     WHERE l.shop_id = p_shop AND l.product_id IS NOT DISTINCT FROM p_product
       AND l.channel = p_channel AND l.revoked_at IS NULL;
    IF FOUND THEN
      RETURN QUERY SELECT 'ok'::text, false, v_link;
      RETURN;
    END IF;
    -- The code belongs to another link: try the next one.
  END LOOP;
  RAISE EXCEPTION 'share_link_create: every candidate code is taken';
END
$$;
