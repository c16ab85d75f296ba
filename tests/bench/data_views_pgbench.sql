-- The ceiling of view ingest in tests/bench/data.sh: one transaction
-- inserting 100 views of shop :shop (products :p0 and the :np after it,
-- every fourth the shop page) at the current time, from visitors never
-- seen before, into today's partition of page_views: the rows
-- POST /v1/events/views stores for a batch of 100, without its checks.
-- (No colon before a letter inside a literal: pgbench -M prepared would take
-- it for a variable.)
\set r random(1, 9000000000000000000)
INSERT INTO page_views (shop_id, product_id, visitor, source, minute, at)
SELECT :shop::bigint, CASE WHEN g % 4 <> 0 THEN :p0::bigint + (g + :r::bigint) % :np::integer END,
       'v:' || 'p' || :client_id::text || 'n' || :r::text || 'i' || g, '', date_trunc('minute', now()), now()
  FROM generate_series(1, 100) g;
