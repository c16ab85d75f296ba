-- A reviewer's decision on an entry of the campaign: approve (see
-- campaign_entry_approve) or reject with p_reason. 'not_found' when the
-- campaign has no such entry, 'invalid_state' when it is not pending. The
-- shop gets a letter either way.
CREATE OR REPLACE FUNCTION campaign_entry_decide(p_staff bigint, p_campaign bigint, p_entry bigint,
                                      p_approve boolean, p_reason text, p_now timestamptz)
RETURNS TABLE (result text, body jsonb) LANGUAGE plpgsql AS $$
DECLARE
  e campaign_entries;
  v_code text;
BEGIN
  SELECT * INTO e FROM campaign_entries WHERE id = p_entry AND campaign_id = p_campaign FOR UPDATE;
  IF NOT FOUND THEN
    RETURN QUERY SELECT 'not_found', NULL::jsonb;
    RETURN;
  END IF;
  IF e.status <> 'pending' THEN
    RETURN QUERY SELECT 'invalid_state', NULL::jsonb;
    RETURN;
  END IF;
  IF p_approve THEN
    v_code := campaign_entry_approve(p_entry, p_staff, p_now);
  ELSE
    UPDATE campaign_entries SET status = 'rejected', reason = p_reason, decided_at = p_now,
           decided_by = p_staff
     WHERE id = p_entry;
    PERFORM campaign_letter(p_entry, p_now);
    v_code := 'ok';
  END IF;
  RETURN QUERY SELECT v_code, CASE WHEN v_code = 'ok' THEN campaign_entry_json(p_entry) END;
END
$$;
