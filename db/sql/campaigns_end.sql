-- The end job: campaigns whose end has come (ends_at <= p_now), up to
-- p_limit of them, give their unsold stock back and are marked ended;
-- entries still pending are cancelled, each with a letter to its shop. Instances share the work (SKIP
-- LOCKED). Checkout stops selling at the campaign price at ends_at whatever
-- the job (the run window is checked at each order), so the job's lag only
-- delays the stock's return.
CREATE OR REPLACE FUNCTION campaigns_end(p_now timestamptz, p_limit integer)
RETURNS integer LANGUAGE plpgsql AS $$
DECLARE
  v_id bigint;
  v_e  bigint;
  v_n  integer := 0;
BEGIN
  FOR v_id IN SELECT id FROM campaigns
               WHERE ended_at IS NULL AND cancelled_at IS NULL AND ends_at <= p_now
               ORDER BY ends_at, id LIMIT p_limit FOR UPDATE SKIP LOCKED LOOP
    PERFORM campaign_stock_return(v_id);
    FOR v_e IN UPDATE campaign_entries SET status = 'cancelled', decided_at = p_now
                WHERE campaign_id = v_id AND status = 'pending' RETURNING id LOOP
      PERFORM campaign_letter(v_e, p_now);
    END LOOP;
    UPDATE campaigns SET ended_at = p_now WHERE id = v_id;
    v_n := v_n + 1;
  END LOOP;
  RETURN v_n;
END
$$;
