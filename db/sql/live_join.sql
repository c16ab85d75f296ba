-- A buyer joins a live room, or renews their presence (a join is also the
-- heartbeat): one row per buyer and room, so a buyer counts once however
-- many devices join. A buyer whose presence had lapsed joins afresh
-- (joined_at moves). Results: ok with the room as the buyer sees it (the
-- viewers present, the coupon last pushed, the red packets still open),
-- not_found (no such room), not_live (the room has ended).
CREATE OR REPLACE FUNCTION live_join(p_buyer bigint, p_live bigint, p_now timestamptz,
                                     p_presence interval)
RETURNS TABLE (result text, body jsonb) LANGUAGE plpgsql AS $$
DECLARE
  r live_rooms%ROWTYPE;
  v live_viewers%ROWTYPE;
BEGIN
  SELECT * INTO r FROM live_rooms x WHERE x.id = p_live;
  IF NOT FOUND THEN
    RETURN QUERY SELECT 'not_found', NULL::jsonb;
    RETURN;
  END IF;
  IF r.ended_at IS NOT NULL THEN
    RETURN QUERY SELECT 'not_live', NULL::jsonb;
    RETURN;
  END IF;
  INSERT INTO live_viewers AS w (live_id, buyer_id, joined_at, seen_at)
  VALUES (p_live, p_buyer, p_now, p_now)
  ON CONFLICT (live_id, buyer_id) DO UPDATE
    SET joined_at = CASE WHEN w.seen_at <= p_now - p_presence THEN p_now
                         ELSE least(w.joined_at, p_now) END,
        seen_at = greatest(w.seen_at, p_now)
  RETURNING w.* INTO v;
  RETURN QUERY SELECT 'ok', jsonb_build_object(
    'live_id', r.id, 'shop_id', r.shop_id, 'live_since', live_time(r.started_at),
    'joined_at', live_time(v.joined_at), 'present_until', live_time(v.seen_at + p_presence),
    'viewer_count', live_viewer_count(r.id, p_now, p_presence),
    'coupon', live_coupon_json(r.pushed_coupon_id, r.pushed_at),
    'red_packet_ids', (SELECT coalesce(jsonb_agg(k.id ORDER BY k.id), '[]'::jsonb)
                         FROM red_packets k
                        WHERE k.live_id = r.id AND k.expired_at IS NULL
                          AND k.expires_at > p_now
                          AND EXISTS (SELECT 1 FROM red_packet_slots t
                                       WHERE t.red_packet_id = k.id AND t.buyer_id IS NULL)));
END
$$;
