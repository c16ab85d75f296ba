-- Staff decide on a comment: p_hide hides it (and, for a top-level
-- comment, its replies) everywhere at once, since every read leaves hidden
-- comments out; the article's counter drops by the comments hidden now and
-- an accepted answer hidden stops being one. Either way its open reports
-- are decided ('hidden' or 'dismissed'). Hiding again changes nothing.
CREATE OR REPLACE FUNCTION community_comment_moderate(p_comment bigint, p_staff bigint,
                                                      p_hide boolean, p_now timestamptz)
RETURNS TABLE (result text, body jsonb) LANGUAGE plpgsql AS $$
DECLARE
  c community_comments;
  v_hidden bigint;
BEGIN
  SELECT * INTO c FROM community_comments x WHERE x.id = p_comment FOR UPDATE;
  IF NOT FOUND THEN
    RETURN QUERY SELECT 'not_found', NULL::jsonb;
    RETURN;
  END IF;
  IF p_hide THEN
    WITH h AS (UPDATE community_comments x SET hidden_at = p_now, hidden_by = p_staff
                WHERE (x.id = p_comment OR x.parent_id = p_comment) AND x.hidden_at IS NULL
               RETURNING x.id)
    SELECT count(*) INTO v_hidden FROM h;
    UPDATE community_articles a SET comments = a.comments - v_hidden,
           accepted_comment_id = CASE WHEN a.accepted_comment_id IN (
                                        SELECT x.id FROM community_comments x
                                         WHERE x.hidden_at IS NOT NULL
                                           AND (x.id = p_comment OR x.parent_id = p_comment))
                                      THEN NULL ELSE a.accepted_comment_id END
     WHERE a.id = c.article_id;
  END IF;
  UPDATE community_reports r SET status = CASE WHEN p_hide THEN 'hidden' ELSE 'dismissed' END,
         decided_at = p_now, decided_by = p_staff
   WHERE r.comment_id = p_comment AND r.status = 'open';
  SELECT * INTO c FROM community_comments x WHERE x.id = p_comment;
  RETURN QUERY SELECT 'ok', community_comment_json(c, true);
END
$$;
