-- Hands out a red packet in the shop's live room: count grabs sharing
-- total_cents (the C side checked the ranges; the table's CHECKs hold
-- them anyway), split into its slots at once (red_packet_split), open for
-- 24 hours. Every buyer present now and the
-- merchant get a live.red_packet event. Results: ok with the packet,
-- not_found (no such shop of the merchant), not_live.
CREATE OR REPLACE FUNCTION red_packet_create(p_merchant bigint, p_shop bigint, p_kind text,
                                             p_total bigint, p_count integer,
                                             p_valid_days integer, p_now timestamptz,
                                             p_presence interval)
RETURNS TABLE (result text, body jsonb) LANGUAGE plpgsql AS $$
DECLARE
  v_live bigint;
  k      red_packets%ROWTYPE;
BEGIN
  PERFORM 1 FROM shops s WHERE s.id = p_shop AND s.merchant_id = p_merchant;
  IF NOT FOUND THEN
    RETURN QUERY SELECT 'not_found', NULL::jsonb;
    RETURN;
  END IF;
  -- Shared: a stop (which updates the room) waits for the packet to
  -- commit, so no packet is handed out in a room that has ended.
  SELECT r.id INTO v_live FROM live_rooms r WHERE r.shop_id = p_shop AND r.ended_at IS NULL
     FOR SHARE;
  IF NOT FOUND THEN
    RETURN QUERY SELECT 'not_live', NULL::jsonb;
    RETURN;
  END IF;
  INSERT INTO red_packets (live_id, shop_id, kind, total_cents, count, valid_days, created_at,
                           expires_at)
  VALUES (v_live, p_shop, p_kind, p_total, p_count, p_valid_days, p_now, p_now + interval '24 hours')
  RETURNING * INTO k;
  INSERT INTO red_packet_slots (red_packet_id, seq, amount_cents)
  SELECT k.id, a.seq, a.amount
    FROM unnest(red_packet_split(p_kind, p_total, p_count)) WITH ORDINALITY AS a (amount, seq);
  INSERT INTO events (kind, merchant_id, buyer_id, shop_id, data, created_at)
  SELECT 'live.red_packet', a.merchant_id, a.buyer_id, p_shop,
         jsonb_build_object('live_id', v_live, 'shop_id', p_shop, 'red_packet_id', k.id,
                            'kind', k.kind, 'total_cents', k.total_cents, 'count', k.count,
                            'expires_at', live_time(k.expires_at)),
         p_now
    FROM (SELECT NULL::bigint AS merchant_id, v.buyer_id FROM live_viewers v
           WHERE v.live_id = v_live AND v.seen_at > p_now - p_presence
          UNION ALL SELECT p_merchant, NULL) a
   ORDER BY a.buyer_id NULLS LAST;
  RETURN QUERY SELECT 'ok', red_packet_json(k, p_now);
END
$$;
