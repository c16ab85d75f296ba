-- An order line names the picture of its snapshot (a SKU preview image or
-- a product image of the shop's space), so that the media collector keeps
-- the files an order shows however long after the entry is deleted, as it
-- does for chat messages. Lines with an outside URL name none.
ALTER TABLE order_items ADD COLUMN image_sha256 text
  CHECK (image_sha256 ~ '^[0-9a-f]{64}$');
COMMENT ON COLUMN order_items.image_sha256 IS
  'the picture of the line''s image when it is one of an image space (/media/<sha256>_800.webp): its files are kept while the line exists';
UPDATE order_items SET image_sha256 = substring(image from '^/media/([0-9a-f]{64})_800\.webp$')
 WHERE image LIKE '/media/%';
CREATE INDEX order_items_image_sha256 ON order_items (image_sha256) WHERE image_sha256 IS NOT NULL;
