-- Adds p_quantity to a coupon still open (not stopped, claim window not
-- over). Returns 'ok' with the coupon, 'not_found' (no such coupon in the
-- merchant's shop), 'invalid_state' (stopped or ended) or
-- 'quantity_limit' (the total would pass 1,000,000). The row lock orders
-- it with claims, which raise claimed under the same lock.
CREATE OR REPLACE FUNCTION coupon_add_quantity(p_merchant bigint, p_shop bigint, p_coupon bigint,
                                    p_quantity integer, p_now timestamptz)
RETURNS TABLE (code text, coupon coupons) LANGUAGE plpgsql AS $$
DECLARE
  v coupons;
BEGIN
  SELECT c.* INTO v FROM coupons c JOIN shops s ON s.id = c.shop_id
   WHERE c.id = p_coupon AND c.shop_id = p_shop AND s.merchant_id = p_merchant
     FOR UPDATE OF c;
  IF NOT FOUND THEN
    RETURN QUERY SELECT 'not_found'::text, NULL::coupons;
  ELSIF v.stopped_at IS NOT NULL OR p_now >= v.claim_end THEN
    RETURN QUERY SELECT 'invalid_state'::text, v;
  ELSIF v.total_quantity::bigint + p_quantity > 1000000 THEN
    RETURN QUERY SELECT 'quantity_limit'::text, v;
  ELSE
    UPDATE coupons c SET total_quantity = c.total_quantity + p_quantity
     WHERE c.id = p_coupon RETURNING c.* INTO v;
    RETURN QUERY SELECT 'ok'::text, v;
  END IF;
END
$$;
