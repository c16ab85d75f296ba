-- A merchant reads an article: counted once per account and MERCHANTD_TZ
-- day (the view row's key decides, so concurrent reads count once). NULL
-- when merchants do not see the article.
CREATE OR REPLACE FUNCTION community_read(p_article bigint, p_account bigint, p_now timestamptz)
RETURNS jsonb LANGUAGE plpgsql AS $$
DECLARE
  a community_articles;
BEGIN
  SELECT * INTO a FROM community_articles c WHERE c.id = p_article;
  IF NOT FOUND OR NOT community_visible(a, p_now) THEN
    RETURN NULL;
  END IF;
  INSERT INTO community_views (article_id, account_id, day)
  VALUES (p_article, p_account, (p_now AT TIME ZONE platform_zone())::date)
  ON CONFLICT DO NOTHING;
  IF FOUND THEN
    UPDATE community_articles c SET views = c.views + 1 WHERE c.id = p_article RETURNING * INTO a;
  END IF;
  RETURN community_article_json(a, p_account, 'read', p_now);
END
$$;
