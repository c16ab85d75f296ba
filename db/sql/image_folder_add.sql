-- Adds a folder to a space, under p_parent (NULL: at the top). Folders
-- nest at most three deep. Returns 'ok' and the id and depth,
-- 'invalid_folder' (no such parent in the space) or 'folder_too_deep'.
CREATE OR REPLACE FUNCTION image_folder_add(p_space bigint, p_parent bigint, p_name text,
                                            p_now timestamptz, OUT code text, OUT id bigint,
                                            OUT depth smallint)
LANGUAGE plpgsql AS $$
DECLARE
  v_depth smallint := 1;
BEGIN
  IF p_parent IS NOT NULL THEN
    SELECT f.depth + 1 INTO v_depth FROM image_folders f
     WHERE f.id = p_parent AND f.space_id = p_space;
    IF NOT FOUND THEN
      code := 'invalid_folder';
      RETURN;
    END IF;
    IF v_depth > 3 THEN
      code := 'folder_too_deep';
      RETURN;
    END IF;
  END IF;
  INSERT INTO image_folders (space_id, parent_id, depth, name, created_at)
  VALUES (p_space, p_parent, v_depth, p_name, p_now)
  RETURNING image_folders.id, image_folders.depth INTO id, depth;
  code := 'ok';
END
$$;
COMMENT ON FUNCTION image_folder_add(bigint, bigint, text, timestamptz) IS
  'adds a folder (at most three deep): ok, invalid_folder, folder_too_deep';
