-- A red packet as the API shows it, with its grabs so far (from its
-- slots); status at p_now: finished (every grab taken), expired (24 hours
-- passed, or closed by the job), else open.
CREATE OR REPLACE FUNCTION red_packet_json(k red_packets, p_now timestamptz) RETURNS jsonb
STABLE LANGUAGE sql AS $$
  SELECT jsonb_build_object(
    'id', k.id, 'live_id', k.live_id, 'shop_id', k.shop_id, 'kind', k.kind,
    'total_cents', k.total_cents, 'count', k.count, 'valid_days', k.valid_days,
    'grabbed', g.n, 'grabbed_cents', g.cents,
    'status', CASE WHEN g.n >= k.count THEN 'finished'
                   WHEN k.expired_at IS NOT NULL OR k.expires_at <= p_now THEN 'expired'
                   ELSE 'open' END,
    'created_at', live_time(k.created_at), 'expires_at', live_time(k.expires_at),
    'expired_at', live_time(k.expired_at), 'unclaimed_cents', k.unclaimed_cents)
    FROM (SELECT count(*)::integer AS n, coalesce(sum(t.amount_cents), 0) AS cents
            FROM red_packet_slots t
           WHERE t.red_packet_id = k.id AND t.buyer_id IS NOT NULL) g
$$;
