-- Creates a shop coupon (p_kind 'shop', p_products empty) or one product
-- coupon per product of p_products, all or none. Rows: (0, 'not_found',
-- NULL) when the merchant has no such shop; (i, 'invalid_product', NULL)
-- for each product (0-based index into p_products) that is not a live
-- product of the shop, and then nothing is created; else (i, 'ok', the
-- coupon) for each coupon created, in request order. The C side has
-- checked every other rule; the table's CHECKs hold them anyway.
CREATE OR REPLACE FUNCTION coupons_create(p_merchant bigint, p_shop bigint, p_kind text, p_products bigint[],
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
  -- More products than the shop's batch limit (shop_limits: the base and
  -- its medals' privileges) is (0, 'invalid_field', NULL), before any
  -- product is looked at.
  IF cardinality(p_products) > (shop_limits(p_shop)).coupon_batch_products THEN
    RETURN QUERY SELECT 0, 'invalid_field'::text, NULL::coupons;
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
