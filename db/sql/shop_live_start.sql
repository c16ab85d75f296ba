-- Starts the shop's live session. The first start sets live_since and
-- tells every buyer who has a conversation with the shop (one coupon.live
-- event each) which live coupons they can claim now; a start while live
-- keeps live_since and sends nothing. NULL when the merchant has no such
-- shop. The conditional UPDATE makes two racing starts send once.
CREATE OR REPLACE FUNCTION shop_live_start(p_merchant bigint, p_shop bigint, p_now timestamptz)
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
           WHERE cv.shop_id = p_shop AND cv.kind = 'buyer'
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
