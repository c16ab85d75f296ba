-- The asker marks the accepted answer of their own question (staff do it
-- with community_accept). The question's row is locked first, so of two
-- concurrent acceptances the last one wins, and a comment deleted or hidden
-- meanwhile is either refused here or cleared by that deletion.
-- 'not_found': no such visible question of the asker's; 'invalid_field':
-- the comment is no visible comment of it.
CREATE OR REPLACE FUNCTION community_question_accept(p_id bigint, p_author bigint,
                                                     p_comment bigint, p_now timestamptz)
RETURNS TABLE (result text, body jsonb) LANGUAGE plpgsql AS $$
DECLARE
  a community_articles;
BEGIN
  SELECT * INTO a FROM community_articles x
   WHERE x.id = p_id AND x.kind = 'question' AND x.author_id = p_author FOR UPDATE;
  IF NOT FOUND OR NOT community_visible(a, p_now) THEN
    RETURN QUERY SELECT 'not_found', NULL::jsonb;
    RETURN;
  END IF;
  IF NOT EXISTS (SELECT 1 FROM community_comments c
                  WHERE c.id = p_comment AND c.article_id = p_id AND c.hidden_at IS NULL) THEN
    RETURN QUERY SELECT 'invalid_field', NULL::jsonb;
    RETURN;
  END IF;
  UPDATE community_articles x SET accepted_comment_id = p_comment, updated_at = p_now
   WHERE x.id = p_id RETURNING * INTO a;
  RETURN QUERY SELECT 'ok', community_article_json(a, p_author, 'read', p_now);
END
$$;
