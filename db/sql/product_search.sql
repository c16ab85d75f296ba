-- Buyer search over the on-sale products of every shop (GET
-- /v1/search/products, docs/promotion.md "Search"): products whose title
-- contains the query (lower-cased, taken literally), found through the
-- title grams' GIN index (products_search_grams: the query's grams must all
-- be in the title's, then the substring is checked), with their lowest SKU
-- price and their units sold over the last 30 days (stats_product, days in
-- MERCHANTD_TZ up to today). Products without a SKU cannot be bought and
-- are left out.
--
-- Every ordering is by (sort_key DESC, id DESC), so one keyset cursor
-- (key, id) pages them all:
--   relevance  match (3: the title is the query, 2: starts with it, 1:
--              contains it) x 10^15 + 30-day units
--   sales      30-day units
--   price      - lowest price (cheapest first), then the newest product
--   -price     lowest price
CREATE OR REPLACE FUNCTION product_search(p_query text, p_sort text, p_key bigint, p_id bigint,
                                          p_limit integer, p_now timestamptz)
RETURNS TABLE (id bigint, shop_id bigint, title text, price_cents bigint, sales_30d bigint,
               sort_key bigint)
STABLE LANGUAGE plpgsql AS $$
BEGIN
  -- EXECUTE plans with the values, so the query's grams are constants the
  -- planner weighs against the index (as chat_search does).
  RETURN QUERY EXECUTE '
  WITH q AS (SELECT lower(btrim($1)) AS t,
                    ($6 AT TIME ZONE platform_zone())::date AS today),
  m AS (
    SELECT p.id, p.shop_id, p.title, pr.price, sa.units,
           CASE WHEN lower(p.title) = q.t THEN 3 WHEN starts_with(lower(p.title), q.t) THEN 2
                ELSE 1 END AS rank
      FROM q, products p
      CROSS JOIN LATERAL (SELECT min(s.price_cents) AS price FROM skus s WHERE s.product_id = p.id) pr
      CROSS JOIN LATERAL (SELECT coalesce(sum(sp.units), 0)::bigint AS units FROM stats_product sp
                           WHERE sp.product_id = p.id AND sp.day > q.today - 30
                             AND sp.day <= q.today) sa
     WHERE p.grams @> community_grams(lower(btrim($1))) AND strpos(lower(p.title), q.t) > 0
       AND p.status = ''on_sale'' AND p.deleted_at IS NULL AND pr.price IS NOT NULL
  ), k AS (
    SELECT m.*, CASE $2 WHEN ''relevance'' THEN m.rank * 1000000000000000 + least(m.units, 999999999999999)
                            WHEN ''sales'' THEN m.units
                            WHEN ''price'' THEN -m.price
                            ELSE m.price END AS key
      FROM m
  )
  SELECT k.id, k.shop_id, k.title, k.price, k.units, k.key
    FROM k
   WHERE $4 IS NULL OR (k.key, k.id) < ($3, $4)
   ORDER BY k.key DESC, k.id DESC
   LIMIT $5'
    USING p_query, p_sort, p_key, p_id, p_limit, p_now;
END
$$;
