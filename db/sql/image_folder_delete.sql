-- Deletes an empty folder of a space: 'ok', 'not_found', or
-- 'folder_not_empty' while it holds images or folders.
CREATE OR REPLACE FUNCTION image_folder_delete(p_space bigint, p_id bigint, OUT code text)
LANGUAGE plpgsql AS $$
BEGIN
  PERFORM 1 FROM image_folders f WHERE f.id = p_id AND f.space_id = p_space FOR UPDATE;
  IF NOT FOUND THEN
    code := 'not_found';
    RETURN;
  END IF;
  IF EXISTS (SELECT 1 FROM images i WHERE i.space_id = p_space AND i.folder_id = p_id)
     OR EXISTS (SELECT 1 FROM image_folders f WHERE f.space_id = p_space AND f.parent_id = p_id) THEN
    code := 'folder_not_empty';
    RETURN;
  END IF;
  DELETE FROM image_folders f WHERE f.id = p_id;
  code := 'ok';
END
$$;
COMMENT ON FUNCTION image_folder_delete(bigint, bigint) IS
  'deletes an empty image folder: ok, not_found, folder_not_empty';
