-- A leaner claim. Claims of different coupons of one shop used to meet on
-- rows they all share: every buyer coupon's reference to its shop took a
-- key-share lock on the shop's one row (concurrent claims then share it
-- through a multixact), and every claim upserted a per-buyer counter row
-- with two references of its own. Now:
--   - a buyer coupon references its coupon and that coupon's shop as one
--     pair, (coupon_id, shop_id) -> coupons (id, shop_id): the shop is still
--     guaranteed (coupons.shop_id references shops) and can no longer
--     disagree with the coupon's, and the claim locks no shop row;
--   - a buyer's claims of a coupon are counted from buyer_coupons through
--     buyer_coupons_coupon_buyer (coupon_id, buyer_id) under the coupon's
--     row lock, which every claim of that coupon takes first: the count is
--     exact without a counter of its own;
--   - coupon_claim returns the new buyer coupon itself, so the statement
--     calling it needs no second read.

ALTER TABLE coupons ADD CONSTRAINT coupons_id_shop UNIQUE (id, shop_id);
ALTER TABLE buyer_coupons
  DROP CONSTRAINT buyer_coupons_coupon_id_fkey,
  DROP CONSTRAINT buyer_coupons_shop_id_fkey,
  ADD CONSTRAINT buyer_coupons_coupon_shop_fkey FOREIGN KEY (coupon_id, shop_id)
    REFERENCES coupons (id, shop_id);

DROP TABLE coupon_buyer_claims;

DROP FUNCTION coupon_claim(bigint, bigint, timestamptz);
DROP FUNCTION buyer_coupon_fresh(bigint);

-- Claims one of a shop's coupons for a buyer. Every claim of a coupon
-- locks its row first, so the checks below run one claim at a time per
-- coupon and read the counts as the previous claim left them: neither
-- total_quantity nor the per-buyer limit can be passed whatever the
-- concurrency (the CHECKs of 0010 would refuse the first anyway). NO KEY
-- UPDATE: buyer coupons and orders referencing the row (key share) do not
-- wait for it. A NULL buyer claims nothing and returns no row: callers that
-- judge a session in the same statement pass NULL when it may not claim.
-- Results: ok (with the new buyer coupon), not_found, not_claimable
-- (stopped, outside the claim window, live-only while the shop is not
-- live, or a fixed validity already over), claim_limit_reached, sold_out.
CREATE FUNCTION coupon_claim(p_buyer bigint, p_coupon bigint, p_now timestamptz)
RETURNS TABLE (result text, id bigint, coupon_id bigint, shop_id bigint, kind text,
               product_id bigint, title text, discount_cents bigint, min_order_cents bigint,
               valid_from timestamptz, valid_to timestamptz, claimed_at timestamptz)
LANGUAGE plpgsql AS $$
#variable_conflict use_column
DECLARE
  c   coupons%ROWTYPE;
  v_n bigint;
BEGIN
  IF p_buyer IS NULL THEN
    RETURN;
  END IF;
  SELECT * INTO c FROM coupons WHERE coupons.id = p_coupon FOR NO KEY UPDATE;
  IF NOT FOUND THEN
    result := 'not_found';
  ELSIF c.stopped_at IS NOT NULL OR p_now < c.claim_start OR p_now >= c.claim_end
        OR (c.valid_days IS NULL AND c.valid_to <= p_now)
        OR (c.channel = 'live'
            AND (SELECT s.live_since FROM shops s WHERE s.id = c.shop_id) IS NULL) THEN
    result := 'not_claimable';
  ELSE
    SELECT count(*) INTO v_n FROM buyer_coupons b
     WHERE b.coupon_id = p_coupon AND b.buyer_id = p_buyer;
    IF v_n >= c.per_buyer_limit THEN
      result := 'claim_limit_reached';
    ELSIF c.claimed >= c.total_quantity THEN
      result := 'sold_out';
    END IF;
  END IF;
  IF result IS NOT NULL THEN
    RETURN NEXT;
    RETURN;
  END IF;
  -- Conditional still: should anything ever change the row without its
  -- lock, the claim fails rather than over-issues.
  UPDATE coupons SET claimed = claimed + 1 WHERE coupons.id = p_coupon AND claimed < total_quantity;
  IF NOT FOUND THEN
    RAISE EXCEPTION 'coupon % changed under its lock', p_coupon;
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
