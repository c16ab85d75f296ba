-- Buyer search ranks without visiting every match (docs/promotion.md
-- "Search"): a product's 30-day sales and lowest SKU price become columns
-- of products, kept by the database, with an index per ordering. A common
-- query (牛奶 in one title of forty) then reads its first page in ranking
-- order from an index and stops after the page is full, instead of summing
-- the 30-day sales and the lowest price of each of its tens of thousands of
-- matches to sort them.

ALTER TABLE products
  ADD COLUMN sales_30d bigint NOT NULL DEFAULT 0 CHECK (sales_30d >= 0),
  ADD COLUMN min_price_cents bigint CHECK (min_price_cents >= 0);
COMMENT ON COLUMN products.sales_30d IS 'units sold over the days of product_sales_window (stats_product), kept by the stats_product triggers and product_sales_roll';
COMMENT ON COLUMN products.min_price_cents IS 'the lowest price of the product''s SKUs, NULL without a SKU; kept by the skus triggers';

-- The first day (MERCHANTD_TZ) counted in products.sales_30d; the days
-- after it up to today are counted. product_sales_roll moves it as days
-- pass, taking the days it leaves off every product in one transaction.
-- Writers of stats_product read it under FOR SHARE and the roll updates
-- it, so a day is added by the one and taken off by the other, never both
-- or neither.
CREATE TABLE product_sales_window (
  only_row  boolean PRIMARY KEY DEFAULT true CHECK (only_row),
  start_day date NOT NULL
);
COMMENT ON TABLE product_sales_window IS 'the first day counted in products.sales_30d (a single row)';
-- A first guess in UTC: the first run of product_sales_roll moves it to
-- the day of MERCHANTD_TZ, adding or taking off the days between exactly.
INSERT INTO product_sales_window (start_day) VALUES ((now() AT TIME ZONE 'UTC')::date - 29);

UPDATE products p SET sales_30d = s.units
  FROM (SELECT product_id, sum(units) AS units FROM stats_product
         WHERE day >= (SELECT start_day FROM product_sales_window)
         GROUP BY 1 HAVING sum(units) <> 0) s
 WHERE p.id = s.product_id;
UPDATE products p SET min_price_cents = s.price
  FROM (SELECT product_id, min(price_cents) AS price FROM skus GROUP BY 1) s
 WHERE p.id = s.product_id;

-- Adds the units of the changed stats_product rows whose day is in the
-- window to their products: one UPDATE per statement (the fold upserts a
-- fold's products at once), from the transition tables.
CREATE FUNCTION product_sales_keep() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  v_start date;
BEGIN
  SELECT start_day INTO v_start FROM product_sales_window FOR SHARE;
  IF TG_OP = 'INSERT' THEN
    UPDATE products p SET sales_30d = p.sales_30d + d.units
      FROM (SELECT product_id, sum(units) AS units FROM new_rows WHERE day >= v_start
             GROUP BY 1 HAVING sum(units) <> 0 ORDER BY 1) d
     WHERE p.id = d.product_id;
  ELSIF TG_OP = 'UPDATE' THEN
    UPDATE products p SET sales_30d = p.sales_30d + d.units
      FROM (SELECT product_id, sum(units) AS units
              FROM (SELECT product_id, day, units FROM new_rows
                    UNION ALL SELECT product_id, day, -units FROM old_rows) c
             WHERE day >= v_start GROUP BY 1 HAVING sum(units) <> 0 ORDER BY 1) d
     WHERE p.id = d.product_id;
  ELSE
    UPDATE products p SET sales_30d = p.sales_30d - d.units
      FROM (SELECT product_id, sum(units) AS units FROM old_rows WHERE day >= v_start
             GROUP BY 1 HAVING sum(units) <> 0 ORDER BY 1) d
     WHERE p.id = d.product_id;
  END IF;
  RETURN NULL;
END
$$;
CREATE TRIGGER stats_product_sales_insert AFTER INSERT ON stats_product
  REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION product_sales_keep();
CREATE TRIGGER stats_product_sales_update AFTER UPDATE ON stats_product
  REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION product_sales_keep();
CREATE TRIGGER stats_product_sales_delete AFTER DELETE ON stats_product
  REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION product_sales_keep();

-- The lowest price of the products whose SKUs were added, repriced, moved
-- or deleted. The product rows are locked (in id order) before the minimum
-- is read, each in a statement of its own (a new snapshot): of two
-- transactions repricing SKUs of one product, the second reads the first's
-- committed price. SKU writers that lock the product (sku_add) lock it
-- first, then the SKU, as this does.
CREATE FUNCTION product_min_price_keep() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  v_ids bigint[];
BEGIN
  IF TG_LEVEL = 'ROW' THEN
    v_ids := ARRAY[OLD.product_id, NEW.product_id];
  ELSIF TG_OP = 'DELETE' THEN
    SELECT array_agg(DISTINCT product_id) INTO v_ids FROM old_rows;
  ELSE
    SELECT array_agg(DISTINCT product_id) INTO v_ids FROM new_rows;
  END IF;
  PERFORM 1 FROM products WHERE id = ANY (v_ids) ORDER BY id FOR NO KEY UPDATE;
  UPDATE products p
     SET min_price_cents = (SELECT min(k.price_cents) FROM skus k WHERE k.product_id = p.id)
   WHERE p.id = ANY (v_ids);
  RETURN NULL;
END
$$;
CREATE TRIGGER skus_min_price_insert AFTER INSERT ON skus
  REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION product_min_price_keep();
-- A row trigger with WHEN: the stock updates of every order cost nothing.
CREATE TRIGGER skus_min_price_update AFTER UPDATE OF price_cents, product_id ON skus
  FOR EACH ROW WHEN (OLD.price_cents IS DISTINCT FROM NEW.price_cents
                     OR OLD.product_id IS DISTINCT FROM NEW.product_id)
  EXECUTE FUNCTION product_min_price_keep();
-- SKUs are never deleted (a product is deleted whole, softly); should one
-- be, its product's minimum must not go stale.
CREATE TRIGGER skus_min_price_delete AFTER DELETE ON skus
  REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION product_min_price_keep();

-- A buyer can find a product on sale, not deleted, with a SKU (a price).
-- One index per ordering of GET /v1/search/products, each (key, id) so
-- that a keyset cursor is a range of it: sales and -price are read
-- backwards ((key, id) descending), price forwards on (price, id DESC).
-- The exact-title index finds the titles that are the query itself,
-- which relevance ranks first.
CREATE INDEX products_search_sales ON products (sales_30d, id)
  WHERE status = 'on_sale' AND deleted_at IS NULL AND min_price_cents IS NOT NULL;
CREATE INDEX products_search_price ON products (min_price_cents, id DESC)
  WHERE status = 'on_sale' AND deleted_at IS NULL AND min_price_cents IS NOT NULL;
CREATE INDEX products_search_price_desc ON products (min_price_cents, id)
  WHERE status = 'on_sale' AND deleted_at IS NULL AND min_price_cents IS NOT NULL;
CREATE INDEX products_search_title ON products (lower(title))
  WHERE status = 'on_sale' AND deleted_at IS NULL AND min_price_cents IS NOT NULL;

-- The common grams (茶, 牛奶) have the frequencies the planner weighs; a
-- larger sample tells them apart from the rare ones more surely.
ALTER TABLE products ALTER COLUMN grams SET STATISTICS 1000;
