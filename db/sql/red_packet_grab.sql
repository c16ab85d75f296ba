-- A buyer present in the live room grabs a red packet: a free slot of the
-- packet (split when it was handed out) becomes theirs, and its amount a
-- voucher, a buyer coupon of a coupon of its own (channel red_packet, kind
-- shop, no minimum, discount = the amount, valid valid_days from the
-- grab), which order_create takes like any shop coupon. NULL buyer: no
-- grab and no row (the caller judged the session in the same statement).
--
-- One read without a lock refuses what it can. Then:
--   - one grab at a time per buyer and packet (a transaction advisory lock
--     on the pair), which asks again whether the buyer has a slot: one
--     grab per buyer (the unique index red_packet_slots_one_per_buyer
--     holds that too);
--   - the first free slot not locked by another grab (FOR UPDATE SKIP
--     LOCKED): concurrent grabs take different slots without waiting for
--     each other, so exactly count grabs can succeed and their amounts add
--     up to total_cents, as the slots do. None left: empty (or expired).
--   - the packet read again once the slot is locked: the expiry job locks
--     every free slot before it closes a packet, so a grab that locked its
--     slot later sees the packet closed.
-- Results: ok, not_found, already_grabbed, red_packet_empty,
-- red_packet_expired, not_live (the room has ended), not_in_room (the
-- buyer is not present in it).
CREATE OR REPLACE FUNCTION red_packet_grab(p_buyer bigint, p_packet bigint, p_now timestamptz,
                                           p_presence interval)
RETURNS TABLE (result text, body jsonb) LANGUAGE plpgsql AS $$
DECLARE
  k         record;
  v_seq     integer;
  v_amount  bigint;
  v_coupon  bigint;
  v_voucher buyer_coupons%ROWTYPE;
  v_to      timestamptz;
BEGIN
  IF p_buyer IS NULL THEN
    RETURN;
  END IF;
  SELECT x.*, r.ended_at AS room_ended,
         EXISTS (SELECT 1 FROM live_viewers v WHERE v.live_id = x.live_id
                    AND v.buyer_id = p_buyer AND v.seen_at > p_now - p_presence) AS present,
         EXISTS (SELECT 1 FROM red_packet_slots t WHERE t.red_packet_id = x.id
                    AND t.buyer_id = p_buyer) AS mine,
         EXISTS (SELECT 1 FROM red_packet_slots t WHERE t.red_packet_id = x.id
                    AND t.buyer_id IS NULL) AS left_over
    INTO k FROM red_packets x JOIN live_rooms r ON r.id = x.live_id WHERE x.id = p_packet;
  IF NOT FOUND THEN
    result := 'not_found';
  ELSIF k.mine THEN
    result := 'already_grabbed';
  ELSIF NOT k.left_over THEN
    result := 'red_packet_empty';
  ELSIF k.expired_at IS NOT NULL OR k.expires_at <= p_now THEN
    result := 'red_packet_expired';
  ELSIF k.room_ended IS NOT NULL THEN
    result := 'not_live';
  ELSIF NOT k.present THEN
    result := 'not_in_room';
  END IF;
  IF result IS NOT NULL THEN
    RETURN NEXT;
    RETURN;
  END IF;

  PERFORM pg_advisory_xact_lock(hashtext('red_packet_grab'), hashtext(p_packet || ':' || p_buyer));
  IF EXISTS (SELECT 1 FROM red_packet_slots t WHERE t.red_packet_id = p_packet
                AND t.buyer_id = p_buyer) THEN
    result := 'already_grabbed';
    RETURN NEXT;
    RETURN;
  END IF;
  SELECT t.seq, t.amount_cents INTO v_seq, v_amount FROM red_packet_slots t
   WHERE t.red_packet_id = p_packet AND t.buyer_id IS NULL
   ORDER BY t.seq LIMIT 1 FOR UPDATE SKIP LOCKED;
  IF NOT FOUND OR (SELECT x.expired_at IS NOT NULL FROM red_packets x WHERE x.id = p_packet) THEN
    result := CASE WHEN (SELECT x.expired_at IS NOT NULL FROM red_packets x WHERE x.id = p_packet)
                   THEN 'red_packet_expired' ELSE 'red_packet_empty' END;
    RETURN NEXT;
    RETURN;
  END IF;

  v_to := p_now + make_interval(days => k.valid_days);
  INSERT INTO coupons (shop_id, kind, title, discount_cents, min_order_cents, total_quantity,
                       claimed, per_buyer_limit, claim_start, claim_end, valid_from, valid_to,
                       channel, stopped_at, created_at)
  VALUES (k.shop_id, 'shop', '直播间红包', v_amount, 0, 1, 1, 1, p_now, v_to, p_now, v_to,
          'red_packet', p_now, p_now)
  RETURNING coupons.id INTO v_coupon;
  INSERT INTO buyer_coupons (coupon_id, buyer_id, shop_id, valid_from, valid_to, claimed_at)
  VALUES (v_coupon, p_buyer, k.shop_id, p_now, v_to, p_now)
  RETURNING * INTO v_voucher;
  UPDATE red_packet_slots t SET buyer_id = p_buyer, buyer_coupon_id = v_voucher.id,
                                grabbed_at = p_now
   WHERE t.red_packet_id = p_packet AND t.seq = v_seq;
  result := 'ok';
  body := jsonb_build_object(
    'red_packet_id', p_packet, 'live_id', k.live_id, 'shop_id', k.shop_id, 'seq', v_seq,
    'amount_cents', v_amount, 'grabbed_at', live_time(p_now),
    'voucher', jsonb_build_object(
      'id', v_voucher.id, 'coupon_id', v_coupon, 'shop_id', k.shop_id, 'kind', 'shop',
      'product_id', NULL, 'title', '直播间红包', 'discount_cents', v_amount,
      'min_order_cents', 0, 'valid_from', live_time(p_now), 'valid_to', live_time(v_to),
      'status', 'usable', 'used_order_id', NULL, 'claimed_at', live_time(p_now)));
  RETURN NEXT;
END
$$;
