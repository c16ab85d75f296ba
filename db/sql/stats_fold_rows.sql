-- Folds the append-only rows (refunds, coupon claims, views) written by
-- transactions in [p_lo, p_hi), of one shop (p_shop, NULL: all) and from
-- p_from on. The fold takes its window of transactions; a rebuild takes
-- everything below its watermark (p_lo 0) from a day on.
CREATE OR REPLACE FUNCTION stats_fold_rows(p_lo xid8, p_hi xid8, p_shop bigint, p_from timestamptz)
RETURNS void LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO stats_delta (shop_id, at, refund_cents, refunds)
  SELECT o.shop_id, r.created_at, r.amount_cents, 1
    FROM refunds r JOIN orders o ON o.id = r.order_id
   WHERE r.fold_xid >= p_lo AND r.fold_xid < p_hi AND (p_shop IS NULL OR o.shop_id = p_shop)
     AND r.created_at >= p_from;

  WITH c AS (SELECT coupon_id, shop_id, claimed_at FROM buyer_coupons
              WHERE fold_xid >= p_lo AND fold_xid < p_hi AND (p_shop IS NULL OR shop_id = p_shop)
                AND claimed_at >= p_from),
  d AS (INSERT INTO stats_delta (shop_id, at, coupon_claims) SELECT shop_id, claimed_at, 1 FROM c)
  INSERT INTO stats_coupon AS s (coupon_id, shop_id, day, claims)
  SELECT coupon_id, shop_id, stats_day(claimed_at), count(*) FROM c GROUP BY 1, 2, 3
  ON CONFLICT (coupon_id, day) DO UPDATE SET claims = s.claims + EXCLUDED.claims;

  DELETE FROM stats_v;
  INSERT INTO stats_v (shop_id, product_id, visitor, at)
  SELECT shop_id, product_id, visitor, at FROM page_views
   WHERE fold_xid >= p_lo AND fold_xid < p_hi AND (p_shop IS NULL OR shop_id = p_shop)
     AND minute >= p_from;
  INSERT INTO stats_delta (shop_id, at, pv) SELECT shop_id, at, 1 FROM stats_v;
  INSERT INTO stats_seen_in (shop_id, day, who, at)
  SELECT shop_id, stats_day(at), visitor, at FROM stats_v;
  PERFORM stats_seen('stats_shop_visitors', 'visitor', 'text', 'uv');
  WITH v AS (SELECT product_id, shop_id, stats_day(at) AS day, visitor FROM stats_v
              WHERE product_id IS NOT NULL),
  n AS (INSERT INTO stats_product_visitors (product_id, day, visitor)
        SELECT DISTINCT product_id, day, visitor FROM v
        ON CONFLICT DO NOTHING RETURNING product_id, day),
  nu AS (SELECT product_id, day, count(*) AS n FROM n GROUP BY 1, 2),
  s AS (SELECT product_id, shop_id, day, count(*) AS pv FROM v GROUP BY 1, 2, 3)
  INSERT INTO stats_product AS p (product_id, shop_id, day, pv, uv)
  SELECT s.product_id, s.shop_id, s.day, s.pv, coalesce(nu.n, 0)
    FROM s LEFT JOIN nu ON nu.product_id = s.product_id AND nu.day = s.day
  ON CONFLICT (product_id, day) DO UPDATE SET pv = p.pv + EXCLUDED.pv, uv = p.uv + EXCLUDED.uv;
END
$$;
