-- pgbench: how the auction counts an impression now
-- (db/sql/promotion_auction.sql): one row appended to the impressions' log
-- for plan :plan of shop :shop (product :product), no row locked, as
-- tests/bench/promotion.sh compares it with promotion_impression_rows.sql.
INSERT INTO promotion_impressions (impression_id, plan_id, shop_id, product_id, price_cents,
                                   created_at)
VALUES (nextval('promotion_impression_ids'), :plan, :shop, :product, 10, now());
