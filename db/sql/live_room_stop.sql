-- Stops the shop's live session and ends its room: its viewers are let go
-- (the count is 0 from now on) and its red packets can no longer be
-- grabbed (they still expire, and record what was left, at 24 hours).
-- Stopping a shop that is not live answers the same. The live state, or
-- NULL when the merchant has no such shop.
CREATE OR REPLACE FUNCTION live_room_stop(p_merchant bigint, p_shop bigint, p_now timestamptz,
                                          p_presence interval)
RETURNS jsonb LANGUAGE plpgsql AS $$
DECLARE
  v_live bigint;
BEGIN
  UPDATE shops s SET live_since = NULL WHERE s.id = p_shop AND s.merchant_id = p_merchant;
  IF NOT FOUND THEN
    RETURN NULL;
  END IF;
  UPDATE live_rooms r SET ended_at = greatest(p_now, r.started_at)
   WHERE r.shop_id = p_shop AND r.ended_at IS NULL
  RETURNING r.id INTO v_live;
  IF v_live IS NOT NULL THEN
    DELETE FROM live_viewers v WHERE v.live_id = v_live;
  END IF;
  RETURN live_state(p_shop, p_now, p_presence);
END
$$;
