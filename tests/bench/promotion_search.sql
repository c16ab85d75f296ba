-- pgbench: product_search, the SQL of GET /v1/search/products, for :q
-- (quoted), page 1 by relevance; :scan off forces a sequential scan (no
-- bitmap or index scans), as tests/bench/promotion.sh compares it. Simple
-- protocol: the SETs take the variable as text.
SET enable_bitmapscan = :scan;
SET enable_indexscan = :scan;
SELECT count(*) FROM product_search(:q, 'relevance', NULL, NULL, 20, now());
