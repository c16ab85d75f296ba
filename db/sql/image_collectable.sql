-- Whether the collector may remove a picture's files: no entry of any
-- space, no chat message, no order line and no feedback names them. Takes
-- the picture's lock exclusively first (image_blob_lock), so the answer holds until the
-- transaction ends, while the files are removed: an upload that has named
-- them has committed by the time the lock is granted (and its entry is
-- seen, the statement's snapshot being taken after), and one that names
-- them later waits, then finds them gone.
CREATE OR REPLACE FUNCTION image_collectable(p_sha256 text)
RETURNS boolean
LANGUAGE plpgsql AS $$
BEGIN
  PERFORM image_blob_lock(p_sha256, true);
  RETURN NOT EXISTS (SELECT 1 FROM images i WHERE i.sha256 = p_sha256)
     AND NOT EXISTS (SELECT 1 FROM messages m WHERE m.image_sha256 = p_sha256)
     AND NOT EXISTS (SELECT 1 FROM order_items o WHERE o.image_sha256 = p_sha256)
     AND NOT EXISTS (SELECT 1 FROM feedback_images f WHERE f.sha256 = p_sha256);
END
$$;
COMMENT ON FUNCTION image_collectable(text) IS
  'locks a picture''s files and tells whether no entry, message or order line names them';
