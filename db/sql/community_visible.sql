-- Whether merchants see the article at p_now: published and not hidden.
CREATE OR REPLACE FUNCTION community_visible(a community_articles, p_now timestamptz)
RETURNS boolean IMMUTABLE LANGUAGE sql AS $$
  SELECT a.hidden_at IS NULL AND a.publish_at <= p_now
$$;
