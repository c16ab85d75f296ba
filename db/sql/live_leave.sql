-- A buyer leaves a live room; leaving a room one is not in (or that has
-- ended) answers the same. Results: ok with the room's viewers present
-- after the leave, not_found (no such room).
CREATE OR REPLACE FUNCTION live_leave(p_buyer bigint, p_live bigint, p_now timestamptz,
                                      p_presence interval)
RETURNS TABLE (result text, body jsonb) LANGUAGE plpgsql AS $$
DECLARE
  r live_rooms%ROWTYPE;
BEGIN
  SELECT * INTO r FROM live_rooms x WHERE x.id = p_live;
  IF NOT FOUND THEN
    RETURN QUERY SELECT 'not_found', NULL::jsonb;
    RETURN;
  END IF;
  DELETE FROM live_viewers v WHERE v.live_id = p_live AND v.buyer_id = p_buyer;
  RETURN QUERY SELECT 'ok', jsonb_build_object(
    'live_id', r.id, 'shop_id', r.shop_id, 'in_room', false,
    'viewer_count', CASE WHEN r.ended_at IS NULL
                         THEN live_viewer_count(r.id, p_now, p_presence) ELSE 0 END);
END
$$;
