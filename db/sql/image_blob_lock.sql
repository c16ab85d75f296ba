-- The lock that orders writing an image entry and collecting its files.
-- Files are stored before their entry, and a file of a picture no entry
-- names may be collected, so an upload of a picture whose files the
-- collector has just found unnamed could otherwise write its entry after
-- they are gone. image_add takes the picture's lock shared, and the
-- uploader looks at the files before it commits; image_collectable takes
-- it exclusively and holds it while the files are removed. Either the
-- upload sees the files and the collector, waiting, then sees its entry,
-- or the files are gone when the upload looks and it does not commit.
-- An advisory lock of the two-key form (class 'imag'), held to the end of
-- the transaction; pictures whose names hash alike only wait for each
-- other.
CREATE OR REPLACE FUNCTION image_blob_lock(p_sha256 text, p_exclusive boolean)
RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
  IF p_exclusive THEN
    PERFORM pg_advisory_xact_lock(1768776039, hashtext(p_sha256));
  ELSE
    PERFORM pg_advisory_xact_lock_shared(1768776039, hashtext(p_sha256));
  END IF;
END
$$;
COMMENT ON FUNCTION image_blob_lock(text, boolean) IS
  'the lock of a picture''s files to the end of the transaction: shared to name them, exclusive to remove them';
