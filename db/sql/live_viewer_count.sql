-- The buyers present in a room at p_now: those whose last join (or
-- heartbeat) is younger than p_presence. One index range of
-- live_viewers_seen.
CREATE OR REPLACE FUNCTION live_viewer_count(p_live bigint, p_now timestamptz, p_presence interval)
RETURNS integer STABLE LANGUAGE sql AS $$
  SELECT count(*)::integer FROM live_viewers v
   WHERE v.live_id = p_live AND v.seen_at > p_now - p_presence
$$;
