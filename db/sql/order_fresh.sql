-- An order as it is now. A statement that calls an operation above reads
-- orders with its own snapshot, taken before the call, and so would see the
-- order as it was; this VOLATILE function takes a fresh snapshot, so
-- "FROM order_pay(...) r LEFT JOIN LATERAL order_fresh(...) o" returns the
-- paid order in one round trip. ROWS 1 keeps the planner's estimate (and
-- with it JIT compilation) from assuming a thousand rows.
CREATE OR REPLACE FUNCTION order_fresh(p_order bigint) RETURNS SETOF orders
VOLATILE ROWS 1 LANGUAGE plpgsql AS $$
BEGIN
  RETURN QUERY SELECT * FROM orders WHERE id = p_order;
END
$$;
