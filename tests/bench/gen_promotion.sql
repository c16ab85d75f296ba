-- tests/bench/promotion.sh's data: :shops shops of merchant :merchant,
-- :products on-sale products with one SKU each and Chinese titles, 30-day
-- sales for one product in ten, and :plans promotion plans with three
-- keywords each; every shop's promotion account topped up. Prints the first
-- shop id.
--
-- A title is a common word (one of 40, so each is in about 2.5 % of the
-- titles: 牛奶 is the "common" query), a rare two-character word (one of
-- 200,000 pairs of CJK characters, about 5 titles each at 1,000,000
-- products) and a pack size. The indexes of search (products_search_*)
-- are dropped during the load and made again after it with their migrated
-- definitions (pg_get_indexdef): building each once is several times
-- faster than maintaining it row by row (the grams' GIN has fastupdate
-- off). A product's lowest price is written with it, and its SKU loaded
-- without the trigger that would otherwise update every product again.
\set ON_ERROR_STOP 1
SELECT string_agg(pg_get_indexdef(indexrelid), '; ') AS search_indexes,
       string_agg(indexrelid::regclass::text, ', ') AS search_index_names
  FROM pg_index
 WHERE indrelid = 'products'::regclass AND indexrelid::regclass::text LIKE 'products_search_%' \gset
DROP INDEX :search_index_names;

CREATE TEMP TABLE words AS
SELECT ARRAY['牛奶', '绿茶', '红茶', '苹果', '橙子', '大米', '蜂蜜', '坚果', '面膜', '口红',
             '衬衫', '连衣裙', '运动鞋', '背包', '手机壳', '耳机', '充电宝', '台灯', '枕头', '毛巾',
             '酸奶', '咖啡', '饼干', '巧克力', '牙膏', '洗发水', '沐浴露', '纸巾', '雨伞', '水杯',
             '袜子', '帽子', '围巾', '手套', '拖鞋', '床单', '被子', '锅具', '菜刀', '筷子'] AS w;

WITH s AS (
  INSERT INTO shops (merchant_id, name, created_at, updated_at)
  SELECT :merchant, '店铺' || g, now(), now() FROM generate_series(1, :shops) g
  RETURNING id)
SELECT min(id) AS first_shop FROM s \gset

INSERT INTO products (shop_id, title, status, min_price_cents, created_at, updated_at)
SELECT :first_shop + g % :shops,
       w[1 + (h % 40)::int] || chr((19968 + 1000 + (h / 40) % 200000 / 1000)::int)
         || chr((19968 + (h / 40) % 1000)::int) || ' ' || (1 + g % 9) * 250 || 'g装',
       'on_sale', 100 + g % 9900, now(), now()
  FROM words, generate_series(1, :products) g,
       LATERAL (SELECT abs(hashint8(g)) AS h) x;

SET session_replication_role = replica;
INSERT INTO skus (product_id, shop_id, spec, price_cents, stock, created_at, updated_at)
SELECT id, shop_id, '标准装', min_price_cents, 1000, now(), now()
  FROM products WHERE shop_id >= :first_shop;
RESET session_replication_role;

INSERT INTO stats_product (product_id, shop_id, day, units)
SELECT id, shop_id, (now() AT TIME ZONE platform_zone())::date - 1, 1 + id % 100
  FROM products WHERE shop_id >= :first_shop AND id % 10 = 0;

:search_indexes;

-- Plans on every products / plans-th product, each bidding on three
-- consecutive common words.
CREATE TEMP TABLE bench_plans AS
SELECT p.id AS product_id, p.shop_id, row_number() OVER (ORDER BY p.id) AS n
  FROM (SELECT min(id) AS lo FROM products WHERE shop_id >= :first_shop) f
  JOIN products p ON p.id >= f.lo AND (p.id - f.lo) % (:products / :plans) = 0
 LIMIT :plans;
WITH made AS (
  INSERT INTO promotion_plans (shop_id, product_id, name, daily_budget_cents, starts_at,
                               created_at, updated_at)
  SELECT shop_id, product_id, '推广计划' || n, 1000000, now() - interval '1 day', now(), now()
    FROM bench_plans
  RETURNING id)
INSERT INTO promotion_keywords (plan_id, word, bid_cents)
SELECT m.id, words.w[1 + (m.id + k) % 40], 10 + (m.id * 31 + k * 97) % 490
  FROM made m, words, generate_series(0, 2) k;

SELECT count(*) FROM (
  SELECT ledger_post('bench-topup:' || id, 'topup', id,
                     ARRAY[ledger_account(id, 'provider_clearing')],
                     ARRAY[ledger_account(id, 'promotion')], ARRAY[100000000]::bigint[],
                     ARRAY['topup'], now())
    FROM shops WHERE id >= :first_shop) t \g /dev/null

VACUUM ANALYZE products;
VACUUM ANALYZE skus;
ANALYZE stats_product;
ANALYZE promotion_plans;
ANALYZE promotion_keywords;
SELECT :first_shop;
