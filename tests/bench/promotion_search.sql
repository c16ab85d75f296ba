-- pgbench: product_search, the SQL of GET /v1/search/products, for :q
-- (quoted), page 1 by relevance, as tests/bench/promotion.sh runs it beside
-- promotion_search_seq.sql.
SELECT count(*) FROM product_search(:q, 'relevance', NULL, NULL, 20, now());
