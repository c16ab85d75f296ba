-- Staff close a feedback (closing again is 'ok'); 'not_found' when there
-- is no such feedback. The merchant's screens get a feedback.closed event.
CREATE OR REPLACE FUNCTION feedback_close(p_staff bigint, p_feedback bigint, p_now timestamptz)
RETURNS text LANGUAGE plpgsql AS $$
DECLARE
  f feedback;
BEGIN
  UPDATE feedback x SET status = 'closed', closed_at = p_now, closed_by = p_staff,
                        updated_at = p_now
   WHERE x.id = p_feedback AND x.status <> 'closed'
  RETURNING * INTO f;
  IF FOUND THEN
    INSERT INTO events (kind, merchant_id, data, created_at)
    VALUES ('feedback.closed', f.merchant_id,
            jsonb_build_object('feedback_id', f.id, 'status', 'closed'), p_now);
    RETURN 'ok';
  END IF;
  RETURN CASE WHEN EXISTS (SELECT 1 FROM feedback x WHERE x.id = p_feedback)
              THEN 'ok' ELSE 'not_found' END;
END
$$;
