-- Staff mark a comment as the accepted answer of a question. 'not_found':
-- no such question; 'invalid_state': it is an article, not a question;
-- 'invalid_field': the comment is no visible comment of it.
CREATE OR REPLACE FUNCTION community_accept(p_article bigint, p_comment bigint, p_now timestamptz)
RETURNS TABLE (result text, body jsonb) LANGUAGE plpgsql AS $$
DECLARE
  a community_articles;
BEGIN
  SELECT * INTO a FROM community_articles x WHERE x.id = p_article FOR UPDATE;
  IF NOT FOUND THEN
    RETURN QUERY SELECT 'not_found', NULL::jsonb;
    RETURN;
  END IF;
  IF a.kind <> 'question' THEN
    RETURN QUERY SELECT 'invalid_state', NULL::jsonb;
    RETURN;
  END IF;
  IF NOT EXISTS (SELECT 1 FROM community_comments c
                  WHERE c.id = p_comment AND c.article_id = p_article AND c.hidden_at IS NULL) THEN
    RETURN QUERY SELECT 'invalid_field', NULL::jsonb;
    RETURN;
  END IF;
  UPDATE community_articles x SET accepted_comment_id = p_comment, updated_at = p_now
   WHERE x.id = p_article RETURNING * INTO a;
  RETURN QUERY SELECT 'ok', community_article_json(a, NULL, 'staff', p_now);
END
$$;
