-- Deletes an entry of a space. While a SKU names it as its preview image,
-- or a live product of the shop shows it (its URL is in products.images)
-- and no other entry of the space holds the same picture, the answer is
-- 'image_in_use', unless p_force, which detaches it from both first. The
-- space's counters go down in the same transaction. Returns 'ok',
-- 'not_found' or 'image_in_use'.
CREATE OR REPLACE FUNCTION image_delete(p_space bigint, p_id bigint, p_force boolean,
                                        OUT code text)
LANGUAGE plpgsql AS $$
DECLARE
  v_bytes bigint;
  v_sha   text;
  v_shop  bigint;
  v_url   text;
  v_shown boolean := false;
BEGIN
  SELECT i.bytes, i.sha256, sp.shop_id INTO v_bytes, v_sha, v_shop
    FROM images i JOIN image_spaces sp ON sp.id = i.space_id
   WHERE i.id = p_id AND i.space_id = p_space FOR UPDATE OF i;
  IF NOT FOUND THEN
    code := 'not_found';
    RETURN;
  END IF;
  v_url := '/media/' || v_sha || '_800.webp';
  IF v_shop IS NOT NULL
     AND NOT EXISTS (SELECT 1 FROM images j WHERE j.space_id = p_space AND j.sha256 = v_sha
                                             AND j.id <> p_id) THEN
    v_shown := EXISTS (SELECT 1 FROM products p WHERE p.shop_id = v_shop
                                                  AND p.deleted_at IS NULL
                                                  AND v_url = ANY (p.images));
  END IF;
  IF v_shown OR EXISTS (SELECT 1 FROM skus k WHERE k.image_id = p_id) THEN
    IF NOT p_force THEN
      code := 'image_in_use';
      RETURN;
    END IF;
    UPDATE skus k SET image_id = NULL WHERE k.image_id = p_id;
    IF v_shown THEN
      UPDATE products p SET images = array_remove(p.images, v_url)
       WHERE p.shop_id = v_shop AND p.deleted_at IS NULL AND v_url = ANY (p.images);
    END IF;
  END IF;
  DELETE FROM images i WHERE i.id = p_id;
  UPDATE image_spaces sp
     SET bytes_used = sp.bytes_used - v_bytes, images_used = sp.images_used - 1
   WHERE sp.id = p_space;
  code := 'ok';
END
$$;
COMMENT ON FUNCTION image_delete(bigint, bigint, boolean) IS
  'deletes an image space entry and gives its quota back: ok, not_found, image_in_use';
