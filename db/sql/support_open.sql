-- Gets or creates the open support conversation of a merchant's shop:
-- 'not_found' when the shop is not the merchant's. The unique index on
-- open support conversations (one per shop) settles races: of two
-- concurrent calls one inserts, the other waits for it and reads its row.
CREATE OR REPLACE FUNCTION support_open(p_merchant bigint, p_shop bigint, p_now timestamptz)
RETURNS TABLE (result text, conversation_id bigint, created boolean) LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO conversations (kind, shop_id, merchant_id, buyer_id, created_at, last_activity_at)
  SELECT 'support', s.id, s.merchant_id, NULL, p_now, p_now FROM shops s
   WHERE s.id = p_shop AND s.merchant_id = p_merchant
  ON CONFLICT (shop_id) WHERE kind = 'support' AND closed_at IS NULL DO NOTHING
  RETURNING id INTO conversation_id;
  IF conversation_id IS NOT NULL THEN
    RETURN QUERY SELECT 'ok', conversation_id, true;
    RETURN;
  END IF;
  SELECT c.id INTO conversation_id FROM conversations c
   WHERE c.shop_id = p_shop AND c.merchant_id = p_merchant AND c.kind = 'support'
     AND c.closed_at IS NULL;
  IF conversation_id IS NULL THEN
    RETURN QUERY SELECT 'not_found', NULL::bigint, false;
  ELSE
    RETURN QUERY SELECT 'ok', conversation_id, false;
  END IF;
END
$$;
