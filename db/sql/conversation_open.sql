-- Gets or creates the buyer's conversation with a shop: 'not_found' when
-- there is no such shop. The unique (shop_id, buyer_id) key settles races:
-- of two concurrent calls one inserts, the other waits for it and reads
-- the row it committed.
CREATE OR REPLACE FUNCTION conversation_open(p_buyer bigint, p_shop bigint, p_now timestamptz)
RETURNS TABLE (result text, conversation_id bigint, created boolean) LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO conversations (shop_id, merchant_id, buyer_id, created_at, last_activity_at)
  SELECT s.id, s.merchant_id, p_buyer, p_now, p_now FROM shops s WHERE s.id = p_shop
  ON CONFLICT (shop_id, buyer_id) DO NOTHING
  RETURNING id INTO conversation_id;
  IF conversation_id IS NOT NULL THEN
    RETURN QUERY SELECT 'ok', conversation_id, true;
    RETURN;
  END IF;
  SELECT c.id INTO conversation_id FROM conversations c
   WHERE c.shop_id = p_shop AND c.buyer_id = p_buyer;
  IF conversation_id IS NULL THEN
    RETURN QUERY SELECT 'not_found', NULL::bigint, false;
  ELSE
    RETURN QUERY SELECT 'ok', conversation_id, false;
  END IF;
END
$$;
