-- A merchant's feedback, maybe about one of their shops (p_shop; else
-- 'invalid_field', field shop_id: another merchant's shop or none), with
-- its pictures: each of p_images must be an
-- image in the space of one of the merchant's shops ('invalid_field',
-- field image_ids[i], for the first that is not). The entries are locked
-- until the feedback commits, so that the collector (which spares what a
-- feedback names) never sees a picture named by neither.
CREATE OR REPLACE FUNCTION feedback_create(p_merchant bigint, p_category text, p_text text,
                                           p_images bigint[], p_app_version text,
                                           p_device text, p_now timestamptz, p_shop bigint)
RETURNS TABLE (result text, field text, feedback_id bigint) LANGUAGE plpgsql AS $$
DECLARE
  v_bad integer;
  v_shas text[];
  v_id bigint;
BEGIN
  IF p_shop IS NOT NULL
     AND NOT EXISTS (SELECT 1 FROM shops s WHERE s.id = p_shop AND s.merchant_id = p_merchant) THEN
    RETURN QUERY SELECT 'invalid_field', 'shop_id', NULL::bigint;
    RETURN;
  END IF;
  SELECT array_agg(x.sha256 ORDER BY x.n), min(x.n) FILTER (WHERE x.sha256 IS NULL)
    INTO v_shas, v_bad
    FROM (SELECT i.n, (SELECT im.sha256 FROM images im
                         JOIN image_spaces sp ON sp.id = im.space_id
                         JOIN shops s ON s.id = sp.shop_id
                        WHERE im.id = i.id AND s.merchant_id = p_merchant
                          FOR KEY SHARE OF im) AS sha256
            FROM unnest(coalesce(p_images, '{}')) WITH ORDINALITY i (id, n)) x;
  IF v_bad IS NOT NULL THEN
    RETURN QUERY SELECT 'invalid_field', 'image_ids[' || (v_bad - 1) || ']', NULL::bigint;
    RETURN;
  END IF;
  INSERT INTO feedback (merchant_id, shop_id, category, text, app_version, device, created_at,
                        updated_at)
  VALUES (p_merchant, p_shop, p_category, p_text, p_app_version, p_device, p_now, p_now)
  RETURNING id INTO v_id;
  INSERT INTO feedback_images (feedback_id, position, image_id, sha256)
  SELECT v_id, i.n - 1, i.id, v_shas[i.n]
    FROM unnest(coalesce(p_images, '{}')) WITH ORDINALITY i (id, n);
  RETURN QUERY SELECT 'ok', NULL::text, v_id;
END
$$;
