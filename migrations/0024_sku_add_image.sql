-- sku_add takes the new SKU's preview image (db/sql/sku_add.sql): the
-- function with the old argument list goes, the file creates the new one.
DROP FUNCTION sku_add(bigint, bigint, bigint, text, bigint, integer, timestamptz);
