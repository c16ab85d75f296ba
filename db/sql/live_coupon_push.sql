-- Pushes one of the shop's live coupons to its live room: the room
-- remembers it (a buyer who joins later sees it in the join reply) and
-- every buyer present now, and the merchant, get a live.coupon event on
-- /v1/events (events_position notifies every instance). The room's row is
-- locked, so two pushes to one room run one after the other and the one
-- remembered is the last one's. Results: ok with {live_id, shop_id,
-- coupon, notified}, not_found (no such shop of the merchant, or no such
-- coupon in it), not_live (the shop is not live), not_claimable (not a
-- live coupon, or not claimable now: stopped, ended, sold out or not
-- started).
CREATE OR REPLACE FUNCTION live_coupon_push(p_merchant bigint, p_shop bigint, p_coupon bigint,
                                            p_now timestamptz, p_presence interval)
RETURNS TABLE (result text, body jsonb) LANGUAGE plpgsql AS $$
DECLARE
  c       coupons%ROWTYPE;
  v_live  bigint;
  v_data  jsonb;
  v_count integer;
BEGIN
  PERFORM 1 FROM shops s WHERE s.id = p_shop AND s.merchant_id = p_merchant;
  IF NOT FOUND THEN
    RETURN QUERY SELECT 'not_found', NULL::jsonb;
    RETURN;
  END IF;
  SELECT * INTO c FROM coupons x WHERE x.id = p_coupon AND x.shop_id = p_shop
     AND x.channel <> 'red_packet';
  IF NOT FOUND THEN
    RETURN QUERY SELECT 'not_found', NULL::jsonb;
    RETURN;
  END IF;
  SELECT r.id INTO v_live FROM live_rooms r WHERE r.shop_id = p_shop AND r.ended_at IS NULL
     FOR NO KEY UPDATE;
  IF NOT FOUND THEN
    RETURN QUERY SELECT 'not_live', NULL::jsonb;
    RETURN;
  END IF;
  IF c.channel <> 'live'
     OR coupon_status(c.stopped_at, c.claim_start, c.claim_end, c.claimed, c.total_quantity,
                      p_now) <> 'claiming'
     OR (c.valid_days IS NULL AND c.valid_to <= p_now) THEN
    RETURN QUERY SELECT 'not_claimable', NULL::jsonb;
    RETURN;
  END IF;
  UPDATE live_rooms r SET pushed_coupon_id = p_coupon, pushed_at = p_now WHERE r.id = v_live;
  v_data := jsonb_build_object('live_id', v_live, 'shop_id', p_shop,
                               'coupon', live_coupon_json(p_coupon, p_now));
  INSERT INTO events (kind, merchant_id, buyer_id, shop_id, data, created_at)
  SELECT 'live.coupon', a.merchant_id, a.buyer_id, p_shop, v_data, p_now
    FROM (SELECT NULL::bigint AS merchant_id, v.buyer_id FROM live_viewers v
           WHERE v.live_id = v_live AND v.seen_at > p_now - p_presence
          UNION ALL SELECT p_merchant, NULL) a
   ORDER BY a.buyer_id NULLS LAST;
  GET DIAGNOSTICS v_count = ROW_COUNT;
  RETURN QUERY SELECT 'ok', v_data || jsonb_build_object('notified', v_count - 1);
END
$$;
