-- Coupons, the merchant's side: creating coupons (one, or one per product
-- of a batch), adding quantity, and live sessions that tell the shop's
-- buyers which live coupons they can claim now. Stopping a coupon and the
-- lists are single statements in db/coupons.c.

-- A coupon's status at p_now; the order of the tests is the precedence
-- (stopped > ended > sold_out > not_started > claiming). Plain SQL, so that
-- list filters inline it.
CREATE FUNCTION coupon_status(p_stopped_at timestamptz, p_claim_start timestamptz,
                              p_claim_end timestamptz, p_claimed integer, p_total integer,
                              p_now timestamptz) RETURNS text
IMMUTABLE PARALLEL SAFE LANGUAGE sql AS $$
  SELECT CASE WHEN p_stopped_at IS NOT NULL THEN 'stopped'
              WHEN p_now >= p_claim_end THEN 'ended'
              WHEN p_claimed >= p_total THEN 'sold_out'
              WHEN p_now < p_claim_start THEN 'not_started'
              ELSE 'claiming' END
$$;

-- Creates a shop coupon (p_kind 'shop', p_products empty) or one product
-- coupon per product of p_products, all or none. Rows: (0, 'not_found',
-- NULL) when the merchant has no such shop; (i, 'invalid_product', NULL)
-- for each product (0-based index into p_products) that is not a live
-- product of the shop, and then nothing is created; else (i, 'ok', the
-- coupon) for each coupon created, in request order. The C side has
-- checked every other rule; the table's CHECKs hold them anyway.
CREATE FUNCTION coupons_create(p_merchant bigint, p_shop bigint, p_kind text, p_products bigint[],
                               p_title text, p_discount bigint, p_min_order bigint,
                               p_total integer, p_per_buyer integer, p_claim_start timestamptz,
                               p_claim_end timestamptz, p_valid_days integer,
                               p_valid_from timestamptz, p_valid_to timestamptz, p_channel text,
                               p_now timestamptz)
RETURNS TABLE (idx integer, code text, coupon coupons) LANGUAGE plpgsql AS $$
BEGIN
  PERFORM 1 FROM shops s WHERE s.id = p_shop AND s.merchant_id = p_merchant;
  IF NOT FOUND THEN
    RETURN QUERY SELECT 0, 'not_found'::text, NULL::coupons;
    RETURN;
  END IF;
  IF p_kind = 'product' THEN
    RETURN QUERY
      SELECT (u.i - 1)::integer, 'invalid_product'::text, NULL::coupons
        FROM unnest(p_products) WITH ORDINALITY AS u (pid, i)
       WHERE NOT EXISTS (SELECT 1 FROM products p
                          WHERE p.id = u.pid AND p.shop_id = p_shop AND p.deleted_at IS NULL)
       ORDER BY u.i;
    IF FOUND THEN
      RETURN;
    END IF;
  END IF;
  RETURN QUERY
    WITH wanted AS (
      SELECT u.pid, u.i
        FROM unnest(CASE WHEN p_kind = 'product' THEN p_products ELSE ARRAY[NULL::bigint] END)
             WITH ORDINALITY AS u (pid, i)),
    made AS (
      INSERT INTO coupons AS c (shop_id, kind, product_id, title, discount_cents, min_order_cents,
                                total_quantity, per_buyer_limit, claim_start, claim_end,
                                valid_days, valid_from, valid_to, channel, created_at)
      SELECT p_shop, p_kind, w.pid, p_title, p_discount, p_min_order, p_total, p_per_buyer,
             p_claim_start, p_claim_end, p_valid_days, p_valid_from, p_valid_to, p_channel, p_now
        FROM wanted w ORDER BY w.i
      RETURNING c)
    SELECT (w.i - 1)::integer, 'ok'::text, m.c
      FROM made m JOIN wanted w ON (m.c).product_id IS NOT DISTINCT FROM w.pid
     ORDER BY w.i;
END
$$;

-- Adds p_quantity to a coupon still open (not stopped, claim window not
-- over). Returns 'ok' with the coupon, 'not_found' (no such coupon in the
-- merchant's shop), 'invalid_state' (stopped or ended) or
-- 'quantity_limit' (the total would pass 1,000,000). The row lock orders
-- it with claims, which raise claimed under the same lock.
CREATE FUNCTION coupon_add_quantity(p_merchant bigint, p_shop bigint, p_coupon bigint,
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

-- Starts the shop's live session. The first start sets live_since and
-- tells every buyer who has a conversation with the shop (one coupon.live
-- event each) which live coupons they can claim now; a start while live
-- keeps live_since and sends nothing. NULL when the merchant has no such
-- shop. The conditional UPDATE makes two racing starts send once.
CREATE FUNCTION shop_live_start(p_merchant bigint, p_shop bigint, p_now timestamptz)
RETURNS timestamptz LANGUAGE plpgsql AS $$
DECLARE
  v_owner bigint;
  v_since timestamptz;
BEGIN
  UPDATE shops s SET live_since = p_now
   WHERE s.id = p_shop AND s.merchant_id = p_merchant AND s.live_since IS NULL
  RETURNING s.merchant_id INTO v_owner;
  IF NOT FOUND THEN
    SELECT s.live_since INTO v_since FROM shops s
     WHERE s.id = p_shop AND s.merchant_id = p_merchant;
    RETURN v_since;
  END IF;
  -- One event for each buyer in conversation with the shop, and one for
  -- the merchant's own screens.
  INSERT INTO events (kind, merchant_id, buyer_id, shop_id, data, created_at)
  SELECT 'coupon.live', a.merchant_id, a.buyer_id, p_shop,
         jsonb_build_object('shop_id', p_shop, 'coupon_ids', ids.list), p_now
    FROM (SELECT NULL::bigint AS merchant_id, cv.buyer_id FROM conversations cv
           WHERE cv.shop_id = p_shop
          UNION ALL SELECT v_owner, NULL) a,
         (SELECT coalesce(jsonb_agg(c.id ORDER BY c.id), '[]'::jsonb) AS list
            FROM coupons c
           WHERE c.shop_id = p_shop AND c.channel = 'live'
             AND coupon_status(c.stopped_at, c.claim_start, c.claim_end, c.claimed,
                               c.total_quantity, p_now) = 'claiming') ids
   ORDER BY a.buyer_id NULLS LAST;
  RETURN p_now;
END
$$;
