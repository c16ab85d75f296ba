-- Folds the orders listed in stats_work: each adds the facts it has
-- (1 paid, 2 shipped, 4 completed) that its stats_order_marks lack, once,
-- however often it changed or was listed, then its marks become its facts.
-- Paid: GMV, orders, buyers (first of the day), coupons, the product lines,
-- and the customer-service conversion of buyers who wrote before paying.
-- Shipped: paid-to-shipped time, per shop and per carrier. Completed:
-- shipped-to-completed time per carrier.
CREATE OR REPLACE FUNCTION stats_fold_orders() RETURNS void LANGUAGE plpgsql AS $$
BEGIN
  DELETE FROM stats_o;
  INSERT INTO stats_o
  SELECT o.id, o.shop_id, o.buyer_id, f.facts & ~coalesce(k.marks, 0::smallint), f.facts,
         o.paid_at, o.paid_cents, o.discount_cents, bc.coupon_id, o.shipped_at, o.completed_at,
         o.carrier
    FROM stats_work w
    JOIN orders o ON o.id = w.id
    CROSS JOIN LATERAL (SELECT (CASE WHEN o.paid_at IS NOT NULL THEN 1 ELSE 0 END
                                + CASE WHEN o.shipped_at IS NOT NULL THEN 2 ELSE 0 END
                                + CASE WHEN o.completed_at IS NOT NULL THEN 4 ELSE 0 END
                               )::smallint AS facts) f
    LEFT JOIN stats_order_marks k ON k.order_id = o.id
    LEFT JOIN buyer_coupons bc ON bc.id = o.coupon_id
   WHERE f.facts & ~coalesce(k.marks, 0::smallint) <> 0;
  DELETE FROM stats_work;

  INSERT INTO stats_delta (shop_id, at, gmv_cents, orders, coupon_orders, coupon_gmv_cents,
                           coupon_discount_cents)
  SELECT shop_id, paid_at, paid_cents, 1, (coupon_id IS NOT NULL)::int,
         CASE WHEN coupon_id IS NOT NULL THEN paid_cents ELSE 0 END,
         CASE WHEN coupon_id IS NOT NULL THEN discount_cents ELSE 0 END
    FROM stats_o WHERE new & 1 <> 0;

  INSERT INTO stats_delta (shop_id, at, shipped, ship_secs, shipped_24h, shipped_48h)
  SELECT shop_id, shipped_at, 1, s, (s <= 86400)::int, (s <= 172800)::int
    FROM stats_o, LATERAL (SELECT floor(extract(epoch FROM shipped_at - paid_at))::bigint AS s) x
   WHERE new & 2 <> 0;

  INSERT INTO stats_carrier AS c (shop_id, carrier, day, shipped, ship_secs, completed, transit_secs)
  SELECT shop_id, carrier, day, sum(shipped), sum(ship_secs), sum(completed), sum(transit_secs)
    FROM (SELECT shop_id, carrier, stats_day(shipped_at) AS day, 1 AS shipped,
                 floor(extract(epoch FROM shipped_at - paid_at))::bigint AS ship_secs,
                 0 AS completed, 0::bigint AS transit_secs
            FROM stats_o WHERE new & 2 <> 0 AND carrier IS NOT NULL
          UNION ALL
          SELECT shop_id, carrier, stats_day(completed_at), 0, 0, 1,
                 floor(extract(epoch FROM completed_at - shipped_at))::bigint
            FROM stats_o WHERE new & 4 <> 0 AND carrier IS NOT NULL) f
   GROUP BY 1, 2, 3
  ON CONFLICT (shop_id, carrier, day) DO UPDATE
     SET shipped = c.shipped + EXCLUDED.shipped, ship_secs = c.ship_secs + EXCLUDED.ship_secs,
         completed = c.completed + EXCLUDED.completed,
         transit_secs = c.transit_secs + EXCLUDED.transit_secs;

  WITH l AS (SELECT i.product_id, o.shop_id, stats_day(o.paid_at) AS day, o.id AS order_id,
                    o.buyer_id, i.price_cents * i.quantity AS amount, i.quantity
               FROM stats_o o JOIN order_items i ON i.order_id = o.id
              WHERE o.new & 1 <> 0),
  b AS (INSERT INTO stats_product_buyers (product_id, day, buyer_id)
        SELECT DISTINCT product_id, day, buyer_id FROM l
        ON CONFLICT DO NOTHING RETURNING product_id, day),
  nb AS (SELECT product_id, day, count(*) AS n FROM b GROUP BY 1, 2),
  s AS (SELECT product_id, shop_id, day, sum(amount) AS gmv, sum(quantity) AS units,
               count(DISTINCT order_id) AS orders
          FROM l GROUP BY 1, 2, 3)
  INSERT INTO stats_product AS p (product_id, shop_id, day, gmv_cents, units, orders, buyers)
  SELECT s.product_id, s.shop_id, s.day, s.gmv, s.units, s.orders, coalesce(nb.n, 0)
    FROM s LEFT JOIN nb ON nb.product_id = s.product_id AND nb.day = s.day
  ON CONFLICT (product_id, day) DO UPDATE
     SET gmv_cents = p.gmv_cents + EXCLUDED.gmv_cents, units = p.units + EXCLUDED.units,
         orders = p.orders + EXCLUDED.orders, buyers = p.buyers + EXCLUDED.buyers;

  INSERT INTO stats_coupon AS c (coupon_id, shop_id, day, orders, gmv_cents, discount_cents)
  SELECT coupon_id, shop_id, stats_day(paid_at), count(*), sum(paid_cents), sum(discount_cents)
    FROM stats_o WHERE new & 1 <> 0 AND coupon_id IS NOT NULL
   GROUP BY 1, 2, 3
  ON CONFLICT (coupon_id, day) DO UPDATE
     SET orders = c.orders + EXCLUDED.orders, gmv_cents = c.gmv_cents + EXCLUDED.gmv_cents,
         discount_cents = c.discount_cents + EXCLUDED.discount_cents;

  INSERT INTO stats_seen_in (shop_id, day, who, at)
  SELECT shop_id, stats_day(paid_at), buyer_id::text, paid_at FROM stats_o WHERE new & 1 <> 0;
  PERFORM stats_seen('stats_shop_buyers', 'buyer_id', 'bigint', 'buyers');

  -- A buyer who wrote and pays within the window converts (stats_cs_day
  -- does the same for messages folded after the payment).
  WITH c AS (UPDATE stats_cs_writers w SET converted = true
               FROM stats_o o
              WHERE o.new & 1 <> 0 AND w.shop_id = o.shop_id AND w.buyer_id = o.buyer_id
                AND NOT w.converted AND o.paid_at >= w.first_at
                AND o.paid_at <= w.last_at + interval '24 hours'
             RETURNING w.shop_id, w.first_at)
  INSERT INTO stats_delta (shop_id, at, cs_converted) SELECT shop_id, first_at, 1 FROM c;

  INSERT INTO stats_order_marks AS k (order_id, marks)
  SELECT id, facts FROM stats_o
  ON CONFLICT (order_id) DO UPDATE SET marks = k.marks | EXCLUDED.marks;
END
$$;
