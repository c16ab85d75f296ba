-- A merchant deletes their own comment: it and, for a top-level comment, its
-- replies get hidden_at (the comment deleted_at too) in one statement, so
-- every read leaves them out at once; the article's counter drops by the
-- comments hidden now, an accepted answer among them stops being accepted,
-- and their open reports are decided 'hidden' (nothing is left to judge).
-- 'ok' again for a comment its author deleted already (idempotent);
-- 'not_found' for another's comment, one staff hid, or one of an article
-- merchants do not see.
CREATE OR REPLACE FUNCTION community_comment_delete(p_comment bigint, p_author bigint,
                                                    p_now timestamptz)
RETURNS TABLE (result text, body jsonb) LANGUAGE plpgsql AS $$
DECLARE
  c community_comments;
  v_hidden bigint;
BEGIN
  SELECT * INTO c FROM community_comments x
   WHERE x.id = p_comment AND x.author_id = p_author FOR UPDATE;
  IF NOT FOUND THEN
    RETURN QUERY SELECT 'not_found', NULL::jsonb;
    RETURN;
  END IF;
  IF c.deleted_at IS NOT NULL THEN
    RETURN QUERY SELECT 'ok', NULL::jsonb;
    RETURN;
  END IF;
  IF c.hidden_at IS NOT NULL OR NOT EXISTS (
       SELECT 1 FROM community_articles a WHERE a.id = c.article_id AND community_visible(a, p_now)) THEN
    RETURN QUERY SELECT 'not_found', NULL::jsonb;
    RETURN;
  END IF;
  WITH h AS (UPDATE community_comments x SET hidden_at = p_now,
                    deleted_at = CASE WHEN x.id = p_comment THEN p_now END
              WHERE (x.id = p_comment OR x.parent_id = p_comment) AND x.hidden_at IS NULL
             RETURNING x.id),
       d AS (UPDATE community_reports r SET status = 'hidden', decided_at = p_now
              WHERE r.comment_id IN (SELECT h.id FROM h) AND r.status = 'open')
  SELECT count(*) INTO v_hidden FROM h;
  UPDATE community_articles a SET comments = a.comments - v_hidden,
         accepted_comment_id = CASE WHEN a.accepted_comment_id IN (
                                      SELECT x.id FROM community_comments x
                                       WHERE x.hidden_at IS NOT NULL
                                         AND (x.id = p_comment OR x.parent_id = p_comment))
                                    THEN NULL ELSE a.accepted_comment_id END
   WHERE a.id = c.article_id;
  RETURN QUERY SELECT 'ok', NULL::jsonb;
END
$$;
