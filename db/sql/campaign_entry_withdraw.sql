-- The shop withdraws its pending entry ('invalid_state' once decided).
CREATE OR REPLACE FUNCTION campaign_entry_withdraw(p_merchant bigint, p_shop bigint, p_entry bigint,
                                        p_now timestamptz)
RETURNS TABLE (result text, body jsonb) LANGUAGE plpgsql AS $$
DECLARE
  v_status text;
BEGIN
  SELECT e.status INTO v_status FROM campaign_entries e JOIN shops s ON s.id = e.shop_id
   WHERE e.id = p_entry AND e.shop_id = p_shop AND s.merchant_id = p_merchant FOR UPDATE OF e;
  IF NOT FOUND THEN
    RETURN QUERY SELECT 'not_found', NULL::jsonb;
    RETURN;
  END IF;
  IF v_status <> 'pending' THEN
    RETURN QUERY SELECT 'invalid_state', NULL::jsonb;
    RETURN;
  END IF;
  UPDATE campaign_entries SET status = 'withdrawn', decided_at = p_now WHERE id = p_entry;
  RETURN QUERY SELECT 'ok', campaign_entry_json(p_entry);
END
$$;
