-- The amounts of a red packet's count grabs, in order, as red_packet_amount
-- gives them one after the other (each from what the ones before left):
-- they add up to p_total and each is at least 1 fen. Drawn once, when the
-- packet is handed out, so a grab only takes the next free one.
CREATE OR REPLACE FUNCTION red_packet_split(p_kind text, p_total bigint, p_count integer)
RETURNS bigint[] LANGUAGE plpgsql AS $$
DECLARE
  v_amounts bigint[] := ARRAY[]::bigint[];
  v_taken   bigint := 0;
  v_amount  bigint;
BEGIN
  FOR i IN 0 .. p_count - 1 LOOP
    v_amount := red_packet_amount(p_kind, p_total, p_count, i, v_taken, random());
    v_amounts := v_amounts || v_amount;
    v_taken := v_taken + v_amount;
  END LOOP;
  IF v_taken <> p_total OR (SELECT min(a) FROM unnest(v_amounts) a) < 1 THEN
    RAISE EXCEPTION 'red packet split of % over % does not add up', p_total, p_count;
  END IF;
  RETURN v_amounts;
END
$$;
