-- A comment on an article or question (p_parent NULL) or a reply to one of
-- its comments that is not itself a reply. Merchants (p_limit > 0) may post
-- at most p_limit comments in any 60 seconds: past that the result is
-- 'too_many_comments' and retry_after the seconds until the oldest of
-- those leaves the window. The count is taken under a lock of the author's
-- own (an advisory lock), so concurrent posts cannot pass it together.
-- 'not_found': merchants do not see the article (staff see every one);
-- 'invalid_field': p_parent is no visible top-level comment of it.
CREATE OR REPLACE FUNCTION community_comment_add(p_article bigint, p_author bigint,
                                                 p_parent bigint, p_body text, p_limit integer,
                                                 p_now timestamptz)
RETURNS TABLE (result text, body jsonb, retry_after integer) LANGUAGE plpgsql AS $$
DECLARE
  a community_articles;
  c community_comments;
  v_oldest timestamptz;
  v_recent integer;
BEGIN
  SELECT * INTO a FROM community_articles x WHERE x.id = p_article;
  IF NOT FOUND OR (p_limit > 0 AND NOT community_visible(a, p_now)) THEN
    RETURN QUERY SELECT 'not_found', NULL::jsonb, 0;
    RETURN;
  END IF;
  -- The parent is share-locked: hiding or deleting it (which lock it for
  -- update) waits for this reply and hides it too, or goes first and this
  -- sees it hidden; a visible reply never hangs under a hidden parent.
  IF p_parent IS NOT NULL THEN
    PERFORM 1 FROM community_comments p
     WHERE p.id = p_parent AND p.article_id = p_article AND p.parent_id IS NULL
       AND p.hidden_at IS NULL
       FOR SHARE;
    IF NOT FOUND THEN
      RETURN QUERY SELECT 'invalid_field', NULL::jsonb, 0;
      RETURN;
    END IF;
  END IF;
  IF p_limit > 0 THEN
    PERFORM pg_advisory_xact_lock(hashtextextended('community_comment', p_author));
    SELECT count(*), min(w.created_at) INTO v_recent, v_oldest
      FROM (SELECT x.created_at FROM community_comments x
             WHERE x.author_id = p_author AND x.created_at > p_now - interval '60 seconds'
             ORDER BY x.created_at DESC LIMIT p_limit) w;
    IF v_recent >= p_limit THEN
      RETURN QUERY SELECT 'too_many_comments', NULL::jsonb,
        greatest(1, ceil(extract(epoch FROM v_oldest + interval '60 seconds' - p_now)))::integer;
      RETURN;
    END IF;
  END IF;
  INSERT INTO community_comments (article_id, parent_id, author_id, body, created_at)
  VALUES (p_article, p_parent, p_author, p_body, p_now) RETURNING * INTO c;
  UPDATE community_articles x SET comments = x.comments + 1 WHERE x.id = p_article;
  RETURN QUERY SELECT 'ok', community_comment_json(c, p_limit = 0), 0;
END
$$;
