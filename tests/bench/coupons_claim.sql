-- pgbench: the claim's conditional UPDATE alone, on a coupon in :lo..:hi
-- (lo = hi: one hot coupon), as tests/bench/coupons.sh compares it.
\set id random(:lo, :hi)
UPDATE coupons SET claimed = claimed + 1 WHERE id = :id AND claimed < total_quantity;
