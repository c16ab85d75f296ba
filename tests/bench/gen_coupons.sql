-- :n fresh shop coupons of shop :shop, claimable now for a day, with room
-- for every claim a run makes (1,000,000 each, 100 per buyer); prints
-- "first_id last_id".
WITH made AS (
  INSERT INTO coupons (shop_id, kind, title, discount_cents, min_order_cents, total_quantity,
                       per_buyer_limit, claim_start, claim_end, valid_days, channel, created_at)
  SELECT :shop, 'shop', 'bench ' || g, 500, 0, 1000000, 100, now() - interval '1 hour',
         now() + interval '1 day', 7, 'normal', now()
    FROM generate_series(1, :n) g
  RETURNING id)
SELECT min(id), max(id) FROM made;
