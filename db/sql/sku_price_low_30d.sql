-- The lowest price the SKU had in the 30 days up to p_now: the price in
-- effect 30 days ago, every price set since, and the current one (a price
-- recorded later than p_now, which only a test clock set back can see,
-- counts as the current one).
CREATE OR REPLACE FUNCTION sku_price_low_30d(p_sku bigint, p_current bigint, p_now timestamptz)
RETURNS bigint STABLE LANGUAGE sql AS $$
  SELECT least(p_current,
               (SELECT min(h.price_cents) FROM sku_prices h
                 WHERE h.sku_id = p_sku AND h.since > p_now - interval '30 days' AND h.since <= p_now),
               (SELECT h.price_cents FROM sku_prices h
                 WHERE h.sku_id = p_sku AND h.since <= p_now - interval '30 days'
                 ORDER BY h.since DESC, h.id DESC LIMIT 1))
$$;
