-- Bookmarks (p_on) or unbookmarks an article for an account, idempotently: the
-- bookmark row's key decides, and the counter moves only with a row inserted
-- or deleted, in the same statement. NULL when merchants do not see the
-- article; else {"bookmarked", "bookmarks"}.
CREATE OR REPLACE FUNCTION community_bookmark(p_article bigint, p_account bigint, p_on boolean,
                                          p_now timestamptz)
RETURNS jsonb LANGUAGE plpgsql AS $$
DECLARE
  v_count bigint;
BEGIN
  IF NOT EXISTS (SELECT 1 FROM community_articles c
                  WHERE c.id = p_article AND c.hidden_at IS NULL AND c.publish_at <= p_now) THEN
    RETURN NULL;
  END IF;
  IF p_on THEN
    WITH ins AS (INSERT INTO community_bookmarks (article_id, account_id, created_at)
                 VALUES (p_article, p_account, p_now) ON CONFLICT DO NOTHING RETURNING 1)
    UPDATE community_articles c SET bookmarks = c.bookmarks + 1
      FROM ins WHERE c.id = p_article RETURNING c.bookmarks INTO v_count;
  ELSE
    WITH del AS (DELETE FROM community_bookmarks l
                  WHERE l.article_id = p_article AND l.account_id = p_account RETURNING 1)
    UPDATE community_articles c SET bookmarks = c.bookmarks - 1
      FROM del WHERE c.id = p_article RETURNING c.bookmarks INTO v_count;
  END IF;
  IF v_count IS NULL THEN
    SELECT c.bookmarks INTO v_count FROM community_articles c WHERE c.id = p_article;
  END IF;
  RETURN jsonb_build_object('bookmarked', p_on, 'bookmarks', v_count);
END
$$;
