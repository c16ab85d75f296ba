-- The skus_price_history triggers: a SKU's price from the time of the write
-- that set it (its updated_at, which every writer sets from merchantd's
-- clock), so that the 30-day low of campaign sign-up sees every change
-- whoever made it.
CREATE OR REPLACE FUNCTION sku_price_record() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO sku_prices (sku_id, price_cents, since) VALUES (NEW.id, NEW.price_cents, NEW.updated_at);
  RETURN NULL;
END
$$;
