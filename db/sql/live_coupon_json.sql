-- The pushed coupon as the live room shows it (join reply, live state,
-- live.coupon events): what a buyer needs to claim it. NULL for NULL.
CREATE OR REPLACE FUNCTION live_coupon_json(p_coupon bigint, p_pushed_at timestamptz) RETURNS jsonb
STABLE LANGUAGE sql AS $$
  SELECT jsonb_build_object('coupon_id', c.id, 'kind', c.kind, 'product_id', c.product_id,
                            'title', c.title, 'discount_cents', c.discount_cents,
                            'min_order_cents', c.min_order_cents,
                            'claim_end', live_time(c.claim_end),
                            'pushed_at', live_time(p_pushed_at))
    FROM coupons c WHERE c.id = p_coupon
$$;
