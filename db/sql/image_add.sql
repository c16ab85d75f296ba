-- Adds an entry to an image space whose files are already stored. The
-- space's counter row is raised by a conditional UPDATE, which takes its
-- lock: concurrent uploads queue on it, and the quota (the row's CHECKs
-- too) can never be passed. Then the picture's lock is taken shared
-- (image_blob_lock): the caller must see that the files are still there
-- before it commits, since the collector may have removed them between
-- their store and this lock. Returns 'ok' and the id, 'not_found' (no
-- such shop of the merchant), 'invalid_folder' or 'quota_exceeded'.
CREATE OR REPLACE FUNCTION image_add(p_merchant bigint, p_shop bigint, p_buyer bigint,
                                     p_folder bigint, p_name text, p_sha256 text, p_format text,
                                     p_width integer, p_height integer, p_bytes bigint,
                                     p_now timestamptz, OUT code text, OUT id bigint)
LANGUAGE plpgsql AS $$
DECLARE
  v_space bigint := image_space_of(p_merchant, p_shop, p_buyer);
BEGIN
  IF v_space IS NULL THEN
    code := 'not_found';
    RETURN;
  END IF;
  IF p_folder IS NOT NULL
     AND NOT EXISTS (SELECT 1 FROM image_folders f WHERE f.id = p_folder AND f.space_id = v_space) THEN
    code := 'invalid_folder';
    RETURN;
  END IF;
  UPDATE image_spaces sp
     SET bytes_used = sp.bytes_used + p_bytes, images_used = sp.images_used + 1
   WHERE sp.id = v_space AND sp.bytes_used + p_bytes <= sp.bytes_max
     AND sp.images_used < sp.images_max;
  IF NOT FOUND THEN
    code := 'quota_exceeded';
    RETURN;
  END IF;
  PERFORM image_blob_lock(p_sha256, false);
  INSERT INTO images (space_id, folder_id, name, sha256, format, width, height, bytes,
                      created_at, updated_at)
  VALUES (v_space, p_folder, p_name, p_sha256, p_format, p_width, p_height, p_bytes, p_now, p_now)
  RETURNING images.id INTO id;
  code := 'ok';
END
$$;
COMMENT ON FUNCTION image_add(bigint, bigint, bigint, bigint, text, text, text, integer, integer,
                              bigint, timestamptz) IS
  'adds an image space entry under the space''s quota: ok, not_found, invalid_folder, quota_exceeded';
