-- A staff reply to a feedback: 'not_found', 'invalid_state' when it is
-- closed, else 'ok' with the reply's id. The feedback row is updated
-- first (its lock orders concurrent replies and a close): status replied,
-- reply_count exact. The merchant's screens get a feedback.replied event.
CREATE OR REPLACE FUNCTION feedback_reply(p_staff bigint, p_feedback bigint, p_text text,
                                          p_now timestamptz)
RETURNS TABLE (result text, reply_id bigint) LANGUAGE plpgsql AS $$
DECLARE
  f feedback;
  v_id bigint;
BEGIN
  UPDATE feedback x SET status = 'replied', reply_count = x.reply_count + 1, updated_at = p_now
   WHERE x.id = p_feedback AND x.status <> 'closed'
  RETURNING * INTO f;
  IF NOT FOUND THEN
    RETURN QUERY SELECT CASE WHEN EXISTS (SELECT 1 FROM feedback x WHERE x.id = p_feedback)
                             THEN 'invalid_state' ELSE 'not_found' END, NULL::bigint;
    RETURN;
  END IF;
  INSERT INTO feedback_replies (feedback_id, staff_id, text, created_at)
  VALUES (p_feedback, p_staff, p_text, p_now) RETURNING id INTO v_id;
  INSERT INTO events (kind, merchant_id, data, created_at)
  VALUES ('feedback.replied', f.merchant_id,
          jsonb_build_object('feedback_id', f.id, 'reply_id', v_id, 'status', f.status), p_now);
  RETURN QUERY SELECT 'ok', v_id;
END
$$;
