-- Claims one of a shop's coupons for a buyer. A NULL buyer claims nothing
-- and returns no row: callers that judge a session in the same statement
-- pass NULL when it may not claim. Results: ok (with the new buyer coupon),
-- not_found, not_claimable (stopped, outside the claim window, live-only
-- while the shop is not live, or a fixed validity already over),
-- claim_limit_reached, sold_out.
--
-- One read, then one write to the coupon's row. The coupon, whether its
-- shop is live and the buyer's claims of it are read by one statement
-- without a lock; a refusal true when read is a true answer. Otherwise the
-- conditional UPDATE takes the row's lock and claims stay exact:
--   - total_quantity: the UPDATE re-checks claimed < total_quantity (and
--     stop and live) on the row as it is once locked;
--   - the per-buyer limit: the count read first is exact unless a claim of
--     this coupon committed between that reading and the lock, and every
--     claim adds one to claimed. So when claimed went up by more than this
--     claim's one, the buyer's claims are counted again under the lock
--     (every claim of the coupon holds that lock until it commits), and a
--     claim past the limit gives its unit back and is refused.
CREATE OR REPLACE FUNCTION coupon_claim(p_buyer bigint, p_coupon bigint, p_now timestamptz)
RETURNS TABLE (result text, id bigint, coupon_id bigint, shop_id bigint, kind text,
               product_id bigint, title text, discount_cents bigint, min_order_cents bigint,
               valid_from timestamptz, valid_to timestamptz, claimed_at timestamptz)
LANGUAGE plpgsql AS $$
#variable_conflict use_column
DECLARE
  c          record;
  v_n        bigint;
  v_claimed  integer;
  v_sold_out boolean;
BEGIN
  IF p_buyer IS NULL THEN
    RETURN;
  END IF;
  SELECT x.*,
         (SELECT count(*) FROM buyer_coupons b
           WHERE b.coupon_id = p_coupon AND b.buyer_id = p_buyer) AS buyer_claims,
         x.channel = 'normal'
           OR (SELECT s.live_since FROM shops s WHERE s.id = x.shop_id) IS NOT NULL AS on_air
    INTO c FROM coupons x WHERE x.id = p_coupon;
  IF NOT FOUND THEN
    result := 'not_found';
  ELSIF c.stopped_at IS NOT NULL OR p_now < c.claim_start OR p_now >= c.claim_end
        OR (c.valid_days IS NULL AND c.valid_to <= p_now) OR NOT c.on_air THEN
    result := 'not_claimable';
  ELSIF c.buyer_claims >= c.per_buyer_limit THEN
    result := 'claim_limit_reached';
  ELSIF c.claimed >= c.total_quantity THEN
    result := 'sold_out';
  END IF;
  IF result IS NOT NULL THEN
    RETURN NEXT;
    RETURN;
  END IF;

  UPDATE coupons x SET claimed = x.claimed + 1
   WHERE x.id = p_coupon AND x.claimed < x.total_quantity AND x.stopped_at IS NULL
     AND (x.channel = 'normal'
          OR (SELECT s.live_since FROM shops s WHERE s.id = x.shop_id) IS NOT NULL)
  RETURNING x.claimed INTO v_claimed;
  IF NOT FOUND THEN
    -- Changed since it was read: sold out, stopped, or the live session
    -- ended.
    SELECT x.claimed >= x.total_quantity INTO v_sold_out FROM coupons x WHERE x.id = p_coupon;
    result := CASE WHEN v_sold_out THEN 'sold_out' ELSE 'not_claimable' END;
    RETURN NEXT;
    RETURN;
  END IF;
  IF v_claimed <> c.claimed + 1 THEN
    SELECT count(*) INTO v_n FROM buyer_coupons b
     WHERE b.coupon_id = p_coupon AND b.buyer_id = p_buyer;
    IF v_n >= c.per_buyer_limit THEN
      UPDATE coupons x SET claimed = x.claimed - 1 WHERE x.id = p_coupon;
      result := 'claim_limit_reached';
      RETURN NEXT;
      RETURN;
    END IF;
  END IF;

  IF c.valid_days IS NOT NULL THEN
    valid_from := p_now;
    valid_to := p_now + make_interval(days => c.valid_days);
  ELSE
    valid_from := c.valid_from;
    valid_to := c.valid_to;
  END IF;
  INSERT INTO buyer_coupons (coupon_id, buyer_id, shop_id, valid_from, valid_to, claimed_at)
  VALUES (p_coupon, p_buyer, c.shop_id, valid_from, valid_to, p_now)
  RETURNING buyer_coupons.id INTO id;
  result := 'ok';
  coupon_id := p_coupon;
  shop_id := c.shop_id;
  kind := c.kind;
  product_id := c.product_id;
  title := c.title;
  discount_cents := c.discount_cents;
  min_order_cents := c.min_order_cents;
  claimed_at := p_now;
  RETURN NEXT;
END
$$;
COMMENT ON FUNCTION coupon_claim(bigint, bigint, timestamptz) IS 'claims a coupon for a buyer, exactly: never past total_quantity or per_buyer_limit';
