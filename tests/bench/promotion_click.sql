-- pgbench: the two statements promotion_click runs on the hot rows of a
-- click (db/sql/promotion_click.sql): the budget-guarded UPDATE of the
-- plan's day row and the click's row, on plan :plan of shop :shop (product
-- :product), as tests/bench/promotion.sh compares it.
BEGIN;
UPDATE promotion_plan_days SET spend_cents = spend_cents + 10, clicks = clicks + 1
 WHERE plan_id = :plan AND day = (now() AT TIME ZONE platform_zone())::date
   AND spend_cents + 10 <= budget_cents;
INSERT INTO promotion_clicks (impression_id, plan_id, shop_id, product_id, visitor, buyer_id,
                              price_cents, charged, outcome, created_at)
VALUES (nextval('promotion_impression_ids'), :plan, :shop, :product, 'pgbench', NULL, 10, true,
        'charged', now());
END;
