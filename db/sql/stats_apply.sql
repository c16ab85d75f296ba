-- Adds what a fold gathered in stats_delta to the shops' minute, hour and
-- day buckets, one upsert per bucket. Minutes are kept only for the last
-- eight days (the overview compares with the same weekday last week).
CREATE OR REPLACE FUNCTION stats_apply(p_now timestamptz) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO stats_shop AS s
    (shop_id, grain, at, gmv_cents, orders, buyers, pv, uv, refund_cents, refunds, shipped,
     ship_secs, shipped_24h, shipped_48h, cs_buyers, cs_converted, cs_rounds, cs_rounds_3min,
     cs_response_secs, coupon_claims, coupon_orders, coupon_gmv_cents, coupon_discount_cents)
  SELECT d.shop_id, g.grain, stats_bucket(d.at, g.grain), sum(gmv_cents), sum(orders),
         sum(buyers), sum(pv), sum(uv), sum(refund_cents), sum(refunds), sum(shipped),
         sum(ship_secs), sum(shipped_24h), sum(shipped_48h), sum(cs_buyers), sum(cs_converted),
         sum(cs_rounds), sum(cs_rounds_3min), sum(cs_response_secs), sum(coupon_claims),
         sum(coupon_orders), sum(coupon_gmv_cents), sum(coupon_discount_cents)
    FROM stats_delta d
   CROSS JOIN (VALUES ('m'::"char"), ('h'), ('d')) g (grain)
   WHERE g.grain <> 'm' OR d.at >= p_now - interval '8 days'
   GROUP BY 1, 2, 3
  ON CONFLICT (shop_id, grain, at) DO UPDATE SET
    gmv_cents = s.gmv_cents + EXCLUDED.gmv_cents, orders = s.orders + EXCLUDED.orders,
    buyers = s.buyers + EXCLUDED.buyers, pv = s.pv + EXCLUDED.pv, uv = s.uv + EXCLUDED.uv,
    refund_cents = s.refund_cents + EXCLUDED.refund_cents, refunds = s.refunds + EXCLUDED.refunds,
    shipped = s.shipped + EXCLUDED.shipped, ship_secs = s.ship_secs + EXCLUDED.ship_secs,
    shipped_24h = s.shipped_24h + EXCLUDED.shipped_24h,
    shipped_48h = s.shipped_48h + EXCLUDED.shipped_48h,
    cs_buyers = s.cs_buyers + EXCLUDED.cs_buyers,
    cs_converted = s.cs_converted + EXCLUDED.cs_converted,
    cs_rounds = s.cs_rounds + EXCLUDED.cs_rounds,
    cs_rounds_3min = s.cs_rounds_3min + EXCLUDED.cs_rounds_3min,
    cs_response_secs = s.cs_response_secs + EXCLUDED.cs_response_secs,
    coupon_claims = s.coupon_claims + EXCLUDED.coupon_claims,
    coupon_orders = s.coupon_orders + EXCLUDED.coupon_orders,
    coupon_gmv_cents = s.coupon_gmv_cents + EXCLUDED.coupon_gmv_cents,
    coupon_discount_cents = s.coupon_discount_cents + EXCLUDED.coupon_discount_cents;
  DELETE FROM stats_delta;
END
$$;
