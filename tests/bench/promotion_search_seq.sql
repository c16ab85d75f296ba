-- pgbench: the ceiling of tests/bench/promotion.sh's search, the page
-- product_search answers for :q (quoted; page 1 by relevance, the same
-- matches, keys and order) in one statement with every index turned off:
-- a sequential scan of products that checks every title, then the top 20.
SET enable_bitmapscan = off;
SET enable_indexscan = off;
SET enable_indexonlyscan = off;
SELECT count(*) FROM (
  SELECT p.id
    FROM products p
   WHERE p.status = 'on_sale' AND p.deleted_at IS NULL AND p.min_price_cents IS NOT NULL
     AND strpos(lower(p.title), lower(btrim(:q))) > 0
   ORDER BY CASE WHEN lower(p.title) = lower(btrim(:q)) THEN 2 ELSE 1 END DESC,
            p.sales_30d DESC, p.id DESC
   LIMIT 20) s;
