-- Cancels a campaign that has not started ('invalid_state' once it has, or
-- when cancelled already): the carved stock of approved entries goes back
-- to the SKUs, and pending and approved entries are cancelled, each with
-- a letter to its shop.
CREATE OR REPLACE FUNCTION campaign_cancel(p_id bigint, p_now timestamptz)
RETURNS TABLE (result text, body jsonb) LANGUAGE plpgsql AS $$
DECLARE
  c campaigns;
  e bigint;
BEGIN
  SELECT * INTO c FROM campaigns WHERE id = p_id FOR UPDATE;
  IF NOT FOUND THEN
    RETURN QUERY SELECT 'not_found', NULL::jsonb;
    RETURN;
  END IF;
  IF c.cancelled_at IS NOT NULL OR p_now >= c.starts_at THEN
    RETURN QUERY SELECT 'invalid_state', NULL::jsonb;
    RETURN;
  END IF;
  PERFORM campaign_stock_return(p_id);
  UPDATE campaigns SET cancelled_at = p_now, updated_at = p_now WHERE id = p_id RETURNING * INTO c;
  FOR e IN UPDATE campaign_entries SET status = 'cancelled', decided_at = p_now, decided_by = NULL
            WHERE campaign_id = p_id AND status IN ('pending', 'approved') RETURNING id LOOP
    PERFORM campaign_letter(e, p_now);
  END LOOP;
  RETURN QUERY SELECT 'ok', campaign_json(c, p_now);
END
$$;
