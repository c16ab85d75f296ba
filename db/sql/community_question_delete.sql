-- The asker deletes their own question: hidden_at and deleted_at, so the
-- feeds, search, reads, comments and marks leave it out at once (404).
-- 'ok' again for a question its asker deleted already (idempotent);
-- 'not_found' for another's question, an article, or one staff hid.
CREATE OR REPLACE FUNCTION community_question_delete(p_id bigint, p_author bigint,
                                                     p_now timestamptz)
RETURNS TABLE (result text, body jsonb) LANGUAGE plpgsql AS $$
DECLARE
  a community_articles;
BEGIN
  SELECT * INTO a FROM community_articles c
   WHERE c.id = p_id AND c.kind = 'question' AND c.author_id = p_author FOR UPDATE;
  IF NOT FOUND OR (a.deleted_at IS NULL AND NOT community_visible(a, p_now)) THEN
    RETURN QUERY SELECT 'not_found', NULL::jsonb;
    RETURN;
  END IF;
  IF a.deleted_at IS NULL THEN
    UPDATE community_articles c SET hidden_at = p_now, deleted_at = p_now, updated_at = p_now
     WHERE c.id = p_id;
  END IF;
  RETURN QUERY SELECT 'ok', NULL::jsonb;
END
$$;
