-- Deletes an entry of a space. While a SKU names it as its preview image
-- the answer is 'image_in_use', unless p_force, which detaches it first.
-- The space's counters go down in the same transaction. Returns 'ok',
-- 'not_found' or 'image_in_use'.
CREATE OR REPLACE FUNCTION image_delete(p_space bigint, p_id bigint, p_force boolean,
                                        OUT code text)
LANGUAGE plpgsql AS $$
DECLARE
  v_bytes bigint;
BEGIN
  SELECT i.bytes INTO v_bytes FROM images i
   WHERE i.id = p_id AND i.space_id = p_space FOR UPDATE;
  IF NOT FOUND THEN
    code := 'not_found';
    RETURN;
  END IF;
  IF EXISTS (SELECT 1 FROM skus k WHERE k.image_id = p_id) THEN
    IF NOT p_force THEN
      code := 'image_in_use';
      RETURN;
    END IF;
    UPDATE skus k SET image_id = NULL WHERE k.image_id = p_id;
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
