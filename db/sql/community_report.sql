-- A merchant reports a comment (once: reporting it again gives the same
-- report). 'not_found' when the comment is hidden or merchants do not see
-- its article.
CREATE OR REPLACE FUNCTION community_report(p_comment bigint, p_reporter bigint, p_reason text,
                                            p_now timestamptz)
RETURNS TABLE (result text, body jsonb) LANGUAGE plpgsql AS $$
DECLARE
  r community_reports;
BEGIN
  IF NOT EXISTS (SELECT 1 FROM community_comments c JOIN community_articles a ON a.id = c.article_id
                  WHERE c.id = p_comment AND c.hidden_at IS NULL AND community_visible(a, p_now)) THEN
    RETURN QUERY SELECT 'not_found', NULL::jsonb;
    RETURN;
  END IF;
  INSERT INTO community_reports (comment_id, reporter_id, reason, created_at)
  VALUES (p_comment, p_reporter, p_reason, p_now)
  ON CONFLICT (comment_id, reporter_id) DO NOTHING RETURNING * INTO r;
  IF NOT FOUND THEN
    SELECT * INTO r FROM community_reports x
     WHERE x.comment_id = p_comment AND x.reporter_id = p_reporter;
  END IF;
  RETURN QUERY SELECT 'ok', community_report_json(r, false);
END
$$;
