-- Likes (p_on) or unlikes an article for an account, idempotently: the
-- like row's key decides, and the counter moves only with a row inserted
-- or deleted, in the same statement. NULL when merchants do not see the
-- article; else {"liked", "likes"}.
CREATE OR REPLACE FUNCTION community_like(p_article bigint, p_account bigint, p_on boolean,
                                          p_now timestamptz)
RETURNS jsonb LANGUAGE plpgsql AS $$
DECLARE
  v_likes bigint;
BEGIN
  IF NOT EXISTS (SELECT 1 FROM community_articles c
                  WHERE c.id = p_article AND c.hidden_at IS NULL AND c.publish_at <= p_now) THEN
    RETURN NULL;
  END IF;
  IF p_on THEN
    WITH ins AS (INSERT INTO community_likes (article_id, account_id, created_at)
                 VALUES (p_article, p_account, p_now) ON CONFLICT DO NOTHING RETURNING 1)
    UPDATE community_articles c SET likes = c.likes + 1
      FROM ins WHERE c.id = p_article RETURNING c.likes INTO v_likes;
  ELSE
    WITH del AS (DELETE FROM community_likes l
                  WHERE l.article_id = p_article AND l.account_id = p_account RETURNING 1)
    UPDATE community_articles c SET likes = c.likes - 1
      FROM del WHERE c.id = p_article RETURNING c.likes INTO v_likes;
  END IF;
  IF v_likes IS NULL THEN
    SELECT c.likes INTO v_likes FROM community_articles c WHERE c.id = p_article;
  END IF;
  RETURN jsonb_build_object('liked', p_on, 'likes', v_likes);
END
$$;
