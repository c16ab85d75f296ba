-- A shop's live state as GET /v1/shops/{id}/live, live/start and live/stop
-- answer it: whether it is live, since when, its open room, the viewers
-- present and the coupon last pushed to the room. NULL when there is no
-- such shop.
CREATE OR REPLACE FUNCTION live_state(p_shop bigint, p_now timestamptz, p_presence interval)
RETURNS jsonb STABLE LANGUAGE sql AS $$
  SELECT jsonb_build_object('shop_id', s.id, 'live', s.live_since IS NOT NULL,
                            'live_since', live_time(s.live_since), 'live_id', r.id,
                            'viewer_count', coalesce(live_viewer_count(r.id, p_now, p_presence), 0),
                            'coupon', live_coupon_json(r.pushed_coupon_id, r.pushed_at))
    FROM shops s LEFT JOIN live_rooms r ON r.shop_id = s.id AND r.ended_at IS NULL
   WHERE s.id = p_shop
$$;
