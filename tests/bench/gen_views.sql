-- Views :lo..:hi of the :n that tests/bench/data.sh spreads evenly over the
-- window of bench_data (see gen_data.sql), into the daily partitions made
-- there; data.sh runs a few of these ranges at once, one per core.
-- Views come in fours from one visitor in the same minute: the shop page
-- and three products (one drawn at random, the two after it). Visitor
-- (g / 4) * 1000003 mod 2 x buyers: over any 2 x buyers consecutive fours
-- no visitor comes twice, so no view repeats (visitor, product, minute)
-- and every one is stored, while a visitor comes back every few days.
-- Half the visitors are signed-in buyers (a:<account>), half anonymous
-- (v:<client id>).
\set ON_ERROR_STOP 1
INSERT INTO page_views (shop_id, product_id, visitor, source, minute, at)
SELECT b.shop_id,
       CASE WHEN g % 4 > 0 THEN b.product0 + ((hashint8(g / 4) & 1048575) + g % 4) % b.products END,
       CASE WHEN v < b.buyers THEN 'a:' || (b.buyer0 + v) ELSE 'v:anon' || lpad((v - b.buyers)::text, 8, '0') END,
       (ARRAY['search', 'home', 'shop', 'live', 'share', ''])[1 + (hashint8(g / 4 + 1) & 1023) % 6],
       date_trunc('minute', x.at), x.at
  FROM bench_data b, generate_series(:lo::bigint, :hi::bigint) g
  CROSS JOIN LATERAL (SELECT (g / 4 * 1000003) % (2 * b.buyers) AS v,
                             b.t0 + (g - 0.5) * (b.t1 - b.t0) / :n AS at) x
 ORDER BY g;
