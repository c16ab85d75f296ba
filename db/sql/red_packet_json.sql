-- A red packet as the API shows it; status at p_now: finished (every grab
-- taken), expired (24 hours passed, or closed by the job), else open.
CREATE OR REPLACE FUNCTION red_packet_json(k red_packets, p_now timestamptz) RETURNS jsonb
STABLE LANGUAGE sql AS $$
  SELECT jsonb_build_object(
    'id', k.id, 'live_id', k.live_id, 'shop_id', k.shop_id, 'kind', k.kind,
    'total_cents', k.total_cents, 'count', k.count, 'valid_days', k.valid_days,
    'grabbed', k.grabbed, 'grabbed_cents', k.grabbed_cents,
    'status', CASE WHEN k.grabbed >= k.count THEN 'finished'
                   WHEN k.expired_at IS NOT NULL OR k.expires_at <= p_now THEN 'expired'
                   ELSE 'open' END,
    'created_at', live_time(k.created_at), 'expires_at', live_time(k.expires_at),
    'expired_at', live_time(k.expired_at), 'unclaimed_cents', k.unclaimed_cents)
$$;
