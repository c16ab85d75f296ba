-- Buyer search over the on-sale products of every shop (GET
-- /v1/search/products, docs/promotion.md "Search"): products whose title
-- contains the query (lower-cased, taken literally) and that have a SKU,
-- with their lowest SKU price and their 30-day sales (products.min_price_cents
-- and products.sales_30d, migration 0045).
--
-- Every ordering is by (sort_key DESC, id DESC), so one keyset cursor
-- (key, id) pages them all:
--   relevance  2 x 10^15 when the title is the query, else 10^15; + 30-day units
--   sales      30-day units
--   price      - lowest price (cheapest first), then the newest product
--   -price     lowest price
--
-- The page is read in ranking order where it can be, with cap =
-- sqrt(limit x products), the number of matches at which reading in order
-- and sorting every match cost the same when matches are spread evenly:
--   1. for relevance, the titles that are the query, from their index;
--   2. the ordering's index in its order from the cursor, each product's
--      title checked, for at most cap / 2 products: a query in more than
--      one title in cap / (2 x limit) fills its page here;
--   3. if not, the matches are counted up to cap with the title grams'
--      index (products_search_grams: the query's grams must all be in the
--      title's); more than cap, and the ordered read goes on for up to
--      10 x cap products;
--   4. what is left of the page comes from every match after the last
--      product found, through the grams' index, sorted: all of a query's
--      page when it has at most cap matches, the rest when its matches lie
--      beyond 10 x cap products of the order.
-- Each statement is run with EXECUTE ... USING, so it is planned with its
-- own values; the planner is not asked to choose between the ways.
CREATE OR REPLACE FUNCTION product_search(p_query text, p_sort text, p_key bigint, p_id bigint,
                                          p_limit integer, p_now timestamptz)
RETURNS TABLE (id bigint, shop_id bigint, title text, price_cents bigint, sales_30d bigint,
               sort_key bigint)
STABLE LANGUAGE plpgsql AS $$
DECLARE
  c_tier   constant bigint := 1000000000000000;
  v_q      text := lower(btrim(p_query));
  v_grams  text[] := search_grams(v_q);
  v_listed constant text := 'p.status = ''on_sale'' AND p.deleted_at IS NULL'
                            ' AND p.min_price_cents IS NOT NULL';
  v_match  constant text := 'p.grams @> $2 AND strpos(lower(p.title), $1) > 0';
  v_key    text;
  v_cap    bigint;
  v_reads  bigint;
  v_n      bigint;
  v_left   integer := p_limit;
  v_ck     bigint := p_key;
  v_ci     bigint := p_id;
  v_order  text;
  v_range  text;
  v_other  text := '';
  v_ock    bigint;
  v_oci    bigint;
  r        record;
BEGIN
  v_key := CASE p_sort
    WHEN 'relevance' THEN format('CASE WHEN lower(p.title) = $1 THEN %s ELSE %s END'
                                 ' + least(p.sales_30d, %s)', 2 * c_tier, c_tier, c_tier - 1)
    WHEN 'sales' THEN 'p.sales_30d'
    WHEN 'price' THEN '-p.min_price_cents'
    ELSE 'p.min_price_cents' END;
  SELECT greatest(100, sqrt(p_limit * greatest(c.reltuples, 0)))::bigint INTO v_cap
    FROM pg_class c WHERE c.oid = 'products'::regclass;

  -- 1. MATERIALIZED: from the title index, whatever the planner guesses of
  -- how many titles are the query (guessing many, it would read the sales
  -- index whole for the order and filter titles).
  IF p_sort = 'relevance' AND (p_key IS NULL OR p_key >= 2 * c_tier) THEN
    FOR r IN EXECUTE format(
      'WITH e AS MATERIALIZED (
         SELECT p.id, p.shop_id, p.title, p.min_price_cents, p.sales_30d, %s AS key
           FROM products p WHERE lower(p.title) = $1 AND %s)
       SELECT e.* FROM e WHERE $4::bigint IS NULL OR (e.key, e.id) < ($3, $4)
        ORDER BY e.key DESC, e.id DESC LIMIT $5', v_key, v_listed)
      USING v_q, v_grams, p_key, p_id, v_left LOOP
      id := r.id; shop_id := r.shop_id; title := r.title; price_cents := r.min_price_cents;
      sales_30d := r.sales_30d; sort_key := r.key;
      RETURN NEXT;
      v_left := v_left - 1;
    END LOOP;
    IF v_left = 0 THEN
      RETURN;
    END IF;
    -- The rest: the titles that contain the query, from the first.
    v_ck := 2 * c_tier;
    v_ci := 0;
  END IF;

  -- 2. and 3. The ordering's index in its order from the cursor, in the
  -- index's terms (for relevance, below the titles that are the query).
  CASE p_sort
    WHEN 'price' THEN
      v_order := 'p.min_price_cents, p.id DESC';
      v_range := '(p.min_price_cents > -$3 OR p.min_price_cents = -$3 AND p.id < $4)'
                 ' AND p.min_price_cents >= -$3';
    WHEN '-price' THEN
      v_order := 'p.min_price_cents DESC, p.id DESC';
      v_range := '(p.min_price_cents, p.id) < ($3, $4)';
    WHEN 'sales' THEN
      v_order := 'p.sales_30d DESC, p.id DESC';
      v_range := '(p.sales_30d, p.id) < ($3, $4)';
    ELSE
      v_order := 'p.sales_30d DESC, p.id DESC';
      v_range := '(p.sales_30d, p.id) < ($3 - ' || c_tier || ', $4)';
      v_other := ' AND lower(p.title) <> $1';
  END CASE;
  FOREACH v_reads IN ARRAY ARRAY[v_cap / 2, 10 * v_cap] LOOP
    IF v_reads > v_cap THEN
      EXECUTE format('SELECT count(*) FROM (SELECT 1 FROM products p WHERE %s AND %s LIMIT %s) c',
                     v_listed, v_match, v_cap + 1)
         INTO v_n USING v_q, v_grams;
      EXIT WHEN v_n <= v_cap;
    END IF;
    -- From the first product of the order while the cursor is on the
    -- titles that are the query (relevance's upper tier).
    IF p_sort = 'relevance' AND v_ck >= 2 * c_tier THEN
      v_ock := NULL;
      v_oci := NULL;
    ELSE
      v_ock := v_ck;
      v_oci := v_ci;
    END IF;
    FOR r IN EXECUTE format(
      'SELECT p.*, %s AS key
         FROM (SELECT p.id, p.shop_id, p.title, p.grams, p.min_price_cents, p.sales_30d
                 FROM products p WHERE %s AND ($4::bigint IS NULL OR %s)
                ORDER BY %s LIMIT %s) p
        WHERE %s%s
        ORDER BY %s LIMIT $5',
      v_key, v_listed, v_range, v_order, v_reads, v_match, v_other, v_order)
      USING v_q, v_grams, v_ock, v_oci, v_left LOOP
      id := r.id; shop_id := r.shop_id; title := r.title; price_cents := r.min_price_cents;
      sales_30d := r.sales_30d; sort_key := r.key;
      RETURN NEXT;
      v_left := v_left - 1;
      v_ck := r.key;
      v_ci := r.id;
    END LOOP;
    IF v_left = 0 THEN
      RETURN;
    END IF;
  END LOOP;

  -- 4. Every match after the last product found, sorted. MATERIALIZED
  -- keeps the planner from reading an ordering's index with the query as
  -- a filter, the way above.
  RETURN QUERY EXECUTE format(
    'WITH m AS MATERIALIZED (
       SELECT p.id, p.shop_id, p.title, p.min_price_cents, p.sales_30d, %s AS key
         FROM products p WHERE %s AND %s)
     SELECT m.id, m.shop_id, m.title, m.min_price_cents, m.sales_30d, m.key
       FROM m WHERE $4::bigint IS NULL OR (m.key, m.id) < ($3, $4)
      ORDER BY m.key DESC, m.id DESC LIMIT $5', v_key, v_listed, v_match)
    USING v_q, v_grams, v_ck, v_ci, v_left;
END
$$;
