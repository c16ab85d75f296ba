-- pgbench: product_search, the SQL of GET /v1/search/products, for :q
-- (quoted), page 1 by relevance; :scan off forces products to a sequential
-- scan, as tests/bench/promotion.sh compares it. A GIN index is only read
-- through a bitmap scan, so enable_bitmapscan off is enough; index scans
-- stay on, or each matched product's SKU and sales lookups would become
-- sequential scans of skus and stats_product too (tens of seconds a
-- search), which is not what the comparison is about. Simple protocol: the
-- SET takes the variable as text.
SET enable_bitmapscan = :scan;
SELECT count(*) FROM product_search(:q, 'relevance', NULL, NULL, 20, now());
