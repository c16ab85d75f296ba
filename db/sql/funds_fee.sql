-- The technical service fee of an order's settled amount at a rate in
-- basis points, rounded half up to the fen: (amount x bps + 5000) div
-- 10000, amount >= 0. The one rounding rule, applied per order: 250 fen at
-- 60 bps is 1.5 fen, so 2.
CREATE OR REPLACE FUNCTION funds_fee(p_amount bigint, p_bps integer) RETURNS bigint
IMMUTABLE STRICT PARALLEL SAFE LANGUAGE sql AS $$
  SELECT (p_amount * p_bps + 5000) / 10000
$$;
