-- pgbench: the like's one hot write alone, the counter of one article
-- (:article) moved by one, as community_like does it.
UPDATE community_articles SET likes = likes + 1 WHERE id = :article RETURNING likes;
