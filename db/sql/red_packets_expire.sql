-- Closes up to p_limit red packets whose 24 hours are over, recording what
-- was not grabbed (unclaimed_cents; 0 for a packet every grab took); the
-- number closed. Each packet's free slots are locked first (FOR UPDATE, in
-- seq order): a grab holding one finishes before it is counted (taken, it
-- is not free any more), and a grab that locks one afterwards sees the
-- packet closed (red_packet_grab), so unclaimed_cents and the grabs add up
-- to total_cents. SKIP LOCKED on the packets: one being closed by another
-- instance is passed over.
CREATE OR REPLACE FUNCTION red_packets_expire(p_now timestamptz, p_limit integer)
RETURNS integer LANGUAGE plpgsql AS $$
DECLARE
  v_id   bigint;
  v_left bigint;
  v_n    integer := 0;
BEGIN
  FOR v_id IN SELECT k.id FROM red_packets k
               WHERE k.expired_at IS NULL AND k.expires_at <= p_now
               ORDER BY k.expires_at, k.id LIMIT p_limit
                 FOR NO KEY UPDATE SKIP LOCKED LOOP
    SELECT coalesce(sum(f.amount_cents), 0) INTO v_left
      FROM (SELECT t.amount_cents FROM red_packet_slots t
             WHERE t.red_packet_id = v_id AND t.buyer_id IS NULL
             ORDER BY t.seq FOR UPDATE) f;
    UPDATE red_packets k SET expired_at = p_now, unclaimed_cents = v_left WHERE k.id = v_id;
    v_n := v_n + 1;
  END LOOP;
  RETURN v_n;
END
$$;
