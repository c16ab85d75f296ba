-- pgbench: the statement GET /v1/community/articles?sort=hot runs for a
-- first page (db/community.c, FEED_SQL): the page, walking
-- community_articles_hot, and the pinned articles after it.
(SELECT false AS pinned, a.id, a.hot_rank AS key, community_article_json(a, NULL, 'feed', now())
   FROM community_articles a
  WHERE a.hidden_at IS NULL AND NOT a.pinned AND a.publish_at <= now() AND NULL::text IS NULL
    AND (a.hot_rank, a.id) < (9223372036854775807, 9223372036854775807)
  ORDER BY a.hot_rank DESC, a.id DESC LIMIT 21)
UNION ALL
(SELECT true, a.id, ts_to_us(a.publish_at), community_article_json(a, NULL, 'feed', now())
   FROM community_articles a
  WHERE true AND a.hidden_at IS NULL AND a.pinned AND a.publish_at <= now() AND NULL::text IS NULL
  ORDER BY a.publish_at DESC, a.id DESC LIMIT 10)
ORDER BY 1, 3 DESC, 2 DESC;
