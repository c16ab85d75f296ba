-- A buyer present in the live room grabs a red packet: the amount (see
-- red_packet_amount) becomes a voucher, a buyer coupon of a coupon of its
-- own (channel red_packet, kind shop, no minimum, discount = the amount,
-- valid valid_days from the grab), which order_create takes like any shop
-- coupon. NULL buyer: no grab and no row (the caller judged the session
-- in the same statement).
--
-- One read without a lock refuses what it can. Then the packet's row lock
-- (every grab of the packet takes it first) orders the grabs: under it the
-- grabs so far and this buyer's grab are read again (each statement sees
-- what the grab before committed), the amount is computed from the packet
-- as the previous grab left it, and the counters move. So exactly count
-- grabs succeed, one per buyer (the primary key of red_packet_grabs holds
-- that too), and the amounts add up to total_cents (a CHECK holds that).
-- Results: ok, not_found, already_grabbed, red_packet_empty,
-- red_packet_expired, not_live (the room has ended), not_in_room (the
-- buyer is not present in it).
CREATE OR REPLACE FUNCTION red_packet_grab(p_buyer bigint, p_packet bigint, p_now timestamptz,
                                           p_presence interval)
RETURNS TABLE (result text, body jsonb) LANGUAGE plpgsql AS $$
DECLARE
  k         record;
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
         EXISTS (SELECT 1 FROM red_packet_grabs g WHERE g.red_packet_id = x.id
                    AND g.buyer_id = p_buyer) AS mine
    INTO k FROM red_packets x JOIN live_rooms r ON r.id = x.live_id WHERE x.id = p_packet;
  IF NOT FOUND THEN
    result := 'not_found';
  ELSIF k.mine THEN
    result := 'already_grabbed';
  ELSIF k.grabbed >= k.count THEN
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

  SELECT x.* INTO k FROM red_packets x WHERE x.id = p_packet FOR NO KEY UPDATE;
  IF EXISTS (SELECT 1 FROM red_packet_grabs g WHERE g.red_packet_id = p_packet
                AND g.buyer_id = p_buyer) THEN
    result := 'already_grabbed';
  ELSIF k.grabbed >= k.count THEN
    result := 'red_packet_empty';
  ELSIF k.expired_at IS NOT NULL THEN
    result := 'red_packet_expired';
  END IF;
  IF result IS NOT NULL THEN
    RETURN NEXT;
    RETURN;
  END IF;

  v_amount := red_packet_amount(k.kind, k.total_cents, k.count, k.grabbed, k.grabbed_cents,
                                random());
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
  INSERT INTO red_packet_grabs (red_packet_id, buyer_id, seq, amount_cents, buyer_coupon_id,
                                grabbed_at)
  VALUES (p_packet, p_buyer, k.grabbed + 1, v_amount, v_voucher.id, p_now);
  UPDATE red_packets x SET grabbed = x.grabbed + 1, grabbed_cents = x.grabbed_cents + v_amount
   WHERE x.id = p_packet;
  result := 'ok';
  body := jsonb_build_object(
    'red_packet_id', p_packet, 'live_id', k.live_id, 'shop_id', k.shop_id, 'seq', k.grabbed + 1,
    'amount_cents', v_amount, 'grabbed_at', live_time(p_now),
    'voucher', jsonb_build_object(
      'id', v_voucher.id, 'coupon_id', v_coupon, 'shop_id', k.shop_id, 'kind', 'shop',
      'product_id', NULL, 'title', '直播间红包', 'discount_cents', v_amount,
      'min_order_cents', 0, 'valid_from', live_time(p_now), 'valid_to', live_time(v_to),
      'status', 'usable', 'used_order_id', NULL, 'claimed_at', live_time(p_now)));
  RETURN NEXT;
END
$$;
