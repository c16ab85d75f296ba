-- Starts the shop's live session (shop_live_start: live_since and the
-- coupon.live events) and opens its room, unless one is open. The shop's
-- row is locked first, so a start and a stop of one shop run one after
-- the other and a room is open exactly while the shop is live; a shop
-- that went live before rooms existed gets one at its next start. The
-- live state, or NULL when the merchant has no such shop.
CREATE OR REPLACE FUNCTION live_room_start(p_merchant bigint, p_shop bigint, p_now timestamptz,
                                           p_presence interval)
RETURNS jsonb LANGUAGE plpgsql AS $$
BEGIN
  PERFORM 1 FROM shops s WHERE s.id = p_shop AND s.merchant_id = p_merchant FOR NO KEY UPDATE;
  IF NOT FOUND THEN
    RETURN NULL;
  END IF;
  PERFORM shop_live_start(p_merchant, p_shop, p_now);
  INSERT INTO live_rooms (shop_id, started_at)
  SELECT p_shop, s.live_since FROM shops s WHERE s.id = p_shop
  ON CONFLICT (shop_id) WHERE ended_at IS NULL DO NOTHING;
  RETURN live_state(p_shop, p_now, p_presence);
END
$$;
